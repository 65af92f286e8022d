// Pure renderers for Glance (the article's "Glance Image Automaton", Listing 4):
// glance-api.conf / glance-registry.conf documents and the on-host scripts.
import { ClientEnv } from "../shared/client";
import { IniDoc } from "../shared/ini";
import { HOST_STATE_DIR, shq } from "../shared/script";

/** Values every Glance file is rendered from. */
/** The image the program uploads (the stack config's `image`). */
export interface ImageValues {
    readonly name: string;
    readonly url: string;
    readonly diskFormat: string;
    readonly containerFormat: string;
    /** Glance image properties (`--property k=v`). */
    readonly properties: Readonly<Record<string, string>>;
}

export interface GlanceConfValues {
    /** SQLAlchemy URL from the MysqlDatabase (secret; undefined until known). */
    readonly connection?: string;
    /** Keystone as the services see it. */
    readonly keystone: {
        readonly host: string;
        readonly publicPort: number;
        readonly adminPort: number;
        readonly region: string;
    };
    /** Tenant/project of the service users ("service"). */
    readonly serviceProject: string;
    /** Glance's Keystone user and its password (secret). */
    readonly user: string;
    readonly password: string;
}

/** Folsom (glance at 2012.2: etc/glance-api.conf, etc/glance-registry.conf): the same three groups in glance-api.conf and glance-registry.conf. */
export function glanceConfWithPaste(pasteFile: string): (v: GlanceConfValues) => IniDoc {
    return (v) => ({
        DEFAULT: { sql_connection: v.connection },
        keystone_authtoken: {
            auth_host: v.keystone.host,
            auth_port: v.keystone.adminPort,
            auth_protocol: "http",
            admin_tenant_name: v.serviceProject,
            admin_user: v.user,
            admin_password: v.password,
        },
        paste_deploy: { config_file: pasteFile, flavor: "keystone" },
    });
}

/** Directory of the file store (both releases' default). */
export const IMAGE_DATADIR = "/var/lib/glance/images/";

/**
 * Zed (docs/sources.md#zed): glance-api only, [database], [keystone_authtoken] with region_name
 * (Debian ships `regionOne`, which turns every request into an HTTP 500 when the
 * endpoints are in RegionOne), Keystone auth in the paste pipeline, the file store.
 */
export function glanceApiConf(v: GlanceConfValues): IniDoc {
    const keystone = `http://${v.keystone.host}:${v.keystone.publicPort}`;
    return {
        DEFAULT: { enabled_backends: "fs:file" },
        database: { connection: v.connection },
        keystone_authtoken: {
            www_authenticate_uri: keystone,
            auth_url: keystone,
            auth_type: "password",
            project_domain_name: "Default",
            user_domain_name: "Default",
            project_name: v.serviceProject,
            username: v.user,
            password: v.password,
            region_name: v.keystone.region,
        },
        paste_deploy: { flavor: "keystone" },
        glance_store: { default_backend: "fs" },
        fs: { filesystem_store_datadir: IMAGE_DATADIR },
    };
}

/**
 * Folsom: `glance-manage version_control 0` then `db_sync` (the article's order), as the
 * glance user (log files stay writable by the service). version_control fails on a
 * database that already has it ("already under migration control"): fine on a re-run.
 */
export function versionControlDbSyncScript(): string {
    return `if ! out=$(su -s /bin/sh -c 'glance-manage version_control 0' glance 2>&1); then
  if ! printf '%s\\n' "$out" | grep -qiE 'already under (migration|version) control'; then
    printf '%s\\n' "$out" >&2
    exit 1
  fi
fi
su -s /bin/sh -c 'glance-manage db_sync' glance`;
}

/** Zed: the registry and sqlalchemy-migrate are gone; db_sync alone. */
export function dbSyncScript(): string {
    return `su -s /bin/sh -c 'glance-manage db_sync' glance`;
}

/**
 * How a release's CLI handles images, as bash functions over $OSLAB_IMAGE_* and the
 * admin credentials in the OS_* environment:
 *   image_ids           IDs of images named $OSLAB_IMAGE_NAME, one per line
 *   image_status ID     Glance status (queued, saving, active, killed, …)
 *   image_create        create from $OSLAB_IMAGE_SOURCE (URL or file://PATH), print the ID
 *   image_delete ID
 *   image_set_properties ID   set the properties in the OSLAB_IMAGE_PROPERTIES array
 */
export interface ImageCli {
    readonly functions: string;
    /** Download http(s) URLs on the controller first (Glance v2 has no copy-from). */
    readonly download: boolean;
}

/** Folsom: the glance v1 CLI; `--copy-from` lets Glance fetch the URL itself (Listing 4). */
export const GLANCE_CLI: ImageCli = {
    download: false,
    functions: `table_value() {
  awk -F'|' -v k="$1" '{ a = $2; b = $3; gsub(/^ +| +$/, "", a); gsub(/^ +| +$/, "", b); if (a == k) print b }'
}
image_ids() {
  glance image-list | awk -F'|' 'NF >= 7 { id = $2; n = $3; gsub(/^ +| +$/, "", id); gsub(/^ +| +$/, "", n); if (id != "ID" && n == ENVIRON["OSLAB_IMAGE_NAME"]) print id }'
}
image_status() {
  glance image-show "$1" | table_value status
}
image_create() {
  local -a from
  case $OSLAB_IMAGE_SOURCE in
    file://*) from=(--file "\${OSLAB_IMAGE_SOURCE#file://}") ;;
    *) from=(--copy-from "$OSLAB_IMAGE_SOURCE") ;;
  esac
  glance image-create --name "$OSLAB_IMAGE_NAME" --is-public true --container-format "$OSLAB_IMAGE_CONTAINER_FORMAT" \\
    --disk-format "$OSLAB_IMAGE_DISK_FORMAT" "\${from[@]}" | table_value id
}
image_delete() {
  glance image-delete "$1"
}
image_set_properties() {
  glance image-update "\${OSLAB_IMAGE_PROPERTIES[@]}" "$1" >/dev/null
}`,
};

/** Zed: python3-openstackclient (Glance v2): the file is uploaded with --file. */
export const OPENSTACK_CLI: ImageCli = {
    download: true,
    functions: `image_ids() {
  openstack image list --name "$OSLAB_IMAGE_NAME" -f value -c ID
}
image_status() {
  openstack image show "$1" -f value -c status
}
image_create() {
  openstack image create --public --container-format "$OSLAB_IMAGE_CONTAINER_FORMAT" --disk-format "$OSLAB_IMAGE_DISK_FORMAT" \\
    --file "\${OSLAB_IMAGE_SOURCE#file://}" "$OSLAB_IMAGE_NAME" -f value -c id
}
image_delete() {
  openstack image delete "$1"
}
image_set_properties() {
  openstack image set "\${OSLAB_IMAGE_PROPERTIES[@]}" "$1"
}`,
};

/** Record of the image the program created: "ID<TAB>NAME". */
export function imageRecord(name: string): string {
    return `${HOST_STATE_DIR}/${name}-image`;
}

function imageEnv(env: ClientEnv, image: ImageValues): string {
    const vars: [string, string | number][] = [
        ...env.map(([k, v]) => [k, v] as [string, string | number]),
        ["OSLAB_IMAGE_NAME", image.name],
        ["OSLAB_IMAGE_URL", image.url],
        ["OSLAB_IMAGE_DISK_FORMAT", image.diskFormat],
        ["OSLAB_IMAGE_CONTAINER_FORMAT", image.containerFormat],
    ];
    return `# the admin password arrives on stdin, the rest of the login is no secret
OS_PASSWORD=$(cat)
export OS_PASSWORD
${vars.map(([k, v]) => `export ${k}=${shq(v)}`).join("\n")}`;
}

/** The configured image properties as `image_set_properties`' arguments (sorted). */
function imageProperties(image: ImageValues): string {
    const args = Object.keys(image.properties)
        .sort()
        .map((k) => `--property ${shq(`${k}=${image.properties[k]}`)}`);
    return `OSLAB_IMAGE_PROPERTIES=(${args.join(" ")})`;
}

/**
 * Find-or-create the configured image by name and wait until it is active; prints its
 * ID (the step's stdout). An image this program created earlier is recorded on the
 * host ("pending" while it is being created); a failed one of ours is replaced, a
 * foreign non-active one is an error, a foreign active one is used (and never deleted).
 */
export function imageScript(v: {
    cli: ImageCli;
    env: ClientEnv;
    image: ImageValues;
    record: string;
    timeoutSeconds?: number;
}): string {
    const tries = Math.ceil((v.timeoutSeconds ?? 1800) / 2);
    const source = v.cli.download
        ? `  case $OSLAB_IMAGE_URL in
    file://*) OSLAB_IMAGE_SOURCE=$OSLAB_IMAGE_URL ;;
    *)
      tmp=$(mktemp /var/tmp/oslab-image.XXXXXX)
      trap 'rm -f "$tmp"' EXIT
      echo "downloading $OSLAB_IMAGE_URL" >&2
      curl -fsSL --retry 3 -o "$tmp" "$OSLAB_IMAGE_URL"
      OSLAB_IMAGE_SOURCE=file://$tmp ;;
  esac`
        : `  OSLAB_IMAGE_SOURCE=$OSLAB_IMAGE_URL`;
    return `${imageEnv(v.env, v.image)}
${imageProperties(v.image)}
record=${v.record}
${v.cli.functions}
old_id='' old_name=''
if [ -f "$record" ]; then IFS=$'\\t' read -r old_id old_name < "$record" || true; fi
if [ -n "$old_id" ] && [ "$old_name" != "$OSLAB_IMAGE_NAME" ]; then
  echo "removing image $old_id ($old_name): the configured image is now $OSLAB_IMAGE_NAME" >&2
  image_delete "$old_id" >&2 || true
  rm -f "$record"
  old_id=''
fi
id=''
ids=$(image_ids)
for c in $ids; do
  s=$(image_status "$c")
  if [ "$s" = active ]; then id=$c; break; fi
  # ours: recorded, or left behind by a run that failed while creating it ("pending")
  if [ "$c" = "$old_id" ] || [ "$old_id" = pending ]; then
    echo "removing image $c left in status $s by an earlier run" >&2
    image_delete "$c" >&2
    rm -f "$record"
    continue
  fi
  echo "image '$OSLAB_IMAGE_NAME' ($c) exists with status $s and was not created by openstack-lab: delete or rename it" >&2
  exit 1
done
if [ -z "$id" ]; then
  if [[ $OSLAB_IMAGE_URL == file://* ]] && [ ! -r "\${OSLAB_IMAGE_URL#file://}" ]; then
    echo "image file \${OSLAB_IMAGE_URL#file://} not found on $(hostname)" >&2
    exit 1
  fi
${source}
  export OSLAB_IMAGE_SOURCE
  printf 'pending\t%s\n' "$OSLAB_IMAGE_NAME" > "$record"
  id=$(image_create)
  [ -n "$id" ] || { echo "creating image $OSLAB_IMAGE_NAME printed no ID" >&2; exit 1; }
  printf '%s\\t%s\\n' "$id" "$OSLAB_IMAGE_NAME" > "$record"
fi
# the configured properties, on a new image and on one found by name alike
if [ \${#OSLAB_IMAGE_PROPERTIES[@]} -gt 0 ]; then image_set_properties "$id" >&2; fi
s=''
for _ in $(seq ${tries}); do
  s=$(image_status "$id")
  case $s in
    active) break ;;
    killed|deleted|pending_delete) echo "image $id went $s" >&2; exit 1 ;;
  esac
  sleep 2
done
[ "$s" = active ] || { echo "image $id is not active after ${tries * 2} s (status $s)" >&2; exit 1; }
echo "$id"`;
}

/**
 * Destroy: delete the image this program created (through the API, so Glance removes
 * its file); when the API no longer answers, remove the file from the store directly.
 */
export function imageDeleteScript(v: { cli: ImageCli; env: ClientEnv; image: ImageValues; record: string }): string {
    return `${imageEnv(v.env, v.image)}
record=${v.record}
${v.cli.functions}
[ -f "$record" ] || exit 0
id='' name=''
IFS=$'\\t' read -r id name < "$record" || true
if [ "$id" = pending ]; then
  # a run failed while creating it: remove the images of that name that never became active
  for c in $(image_ids 2>/dev/null || true); do
    [ "$(image_status "$c" 2>/dev/null || true)" = active ] || image_delete "$c" >&2 || true
  done
elif [ -n "$id" ] && ! image_delete "$id" >&2; then
  echo "warning: image $id ($name) not deleted through the API; removing its file from the store" >&2
  rm -f ${IMAGE_DATADIR}"$id"
fi
rm -f "$record"`;
}
