// Pure renderers for Keystone (the article's "OpenStack Keystone", "Endpoints in
// Keystone" and "Storing Credentials"): keystone.conf documents, the catalog (Listing 2),
// the tenant/user/role data set (script [1]), the credentials file (Listing 3) and the
// on-host scripts. Plain values in, text or data out.
import * as fs from "fs";
import * as path from "path";
import { IniDoc } from "../shared/ini";
import { ClientEnv } from "../shared/client";
import { HOST_STATE_DIR, editorPy, shq, withApiPy } from "../shared/script";

// ---------------------------------------------------------------------------------------
// keystone.conf

export interface KeystoneConfValues {
    /** SQLAlchemy URL from the MysqlDatabase (secret; undefined until known). */
    readonly connection?: string;
    /** The admin token (Folsom bootstraps with it). */
    readonly adminToken: string;
}

/** Folsom (keystone at 2012.2: etc/keystone.conf.sample): admin token, MySQL, SQL identity and catalog back ends. */
export function keystoneConfAdminToken(v: KeystoneConfValues): IniDoc {
    return {
        DEFAULT: { admin_token: v.adminToken },
        sql: { connection: v.connection, idle_timeout: 200 },
        identity: { driver: "keystone.identity.backends.sql.Identity" },
        catalog: { driver: "keystone.catalog.backends.sql.Catalog" },
    };
}

/** Zed (docs/sources.md#zed): MySQL through PyMySQL, Fernet tokens; no admin token (bootstrap instead). */
export function keystoneConf(v: KeystoneConfValues): IniDoc {
    return {
        database: { connection: v.connection },
        token: { provider: "fernet" },
    };
}

// ---------------------------------------------------------------------------------------
// URLs and catalog

/** Where Keystone answers, for one controller address. */
export interface KeystoneUrls {
    /** Versioned public API (services' www_authenticate_uri base, Horizon). */
    readonly publicUrl: string;
    /** Versioned admin API (catalog and data administration). */
    readonly adminUrl: string;
    /** What a client logs in with (OS_AUTH_URL). */
    readonly authUrl: string;
    readonly publicPort: number;
    readonly adminPort: number;
}

export function v2Urls(host: string): KeystoneUrls {
    return {
        publicUrl: `http://${host}:5000/v2.0`,
        adminUrl: `http://${host}:35357/v2.0`,
        authUrl: `http://${host}:5000/v2.0/`,
        publicPort: 5000,
        adminPort: 35357,
    };
}

export function v3Urls(host: string): KeystoneUrls {
    return {
        publicUrl: `http://${host}:5000/v3`,
        adminUrl: `http://${host}:5000/v3`,
        authUrl: `http://${host}:5000/v3`,
        publicPort: 5000,
        adminPort: 5000,
    };
}

export interface CatalogEntry {
    readonly service: { readonly name: string; readonly type: string; readonly description: string };
    readonly urls: { readonly public: string; readonly internal: string; readonly admin: string };
}

/** Hosts the catalog points at: every API on the controller, Swift on `swift` when set. */
export interface CatalogHosts {
    readonly controller: string;
    readonly swift?: string;
}

function same(url: string): CatalogEntry["urls"] {
    return { public: url, internal: url, admin: url };
}

/**
 * Folsom: the endpoints script of Listing 2 (scripts/keystone-endpoints.sh of the Folsom guide, docs/sources.md#folsom), all on `-K` = the
 * controller; object-store (`-S`) only when a Swift host is configured (docs/sources.md#folsom-pitfalls 9).
 */
export function v2Catalog(h: CatalogHosts): CatalogEntry[] {
    const c = h.controller;
    const entries: CatalogEntry[] = [
        {
            service: { name: "keystone", type: "identity", description: "OpenStack Identity" },
            urls: {
                public: `http://${c}:5000/v2.0`,
                internal: `http://${c}:5000/v2.0`,
                admin: `http://${c}:35357/v2.0`,
            },
        },
        {
            service: { name: "nova", type: "compute", description: "OpenStack Compute Service" },
            urls: same(`http://${c}:8774/v2/$(tenant_id)s`),
        },
        {
            service: { name: "cinder", type: "volume", description: "OpenStack Volume Service" },
            urls: same(`http://${c}:8776/v1/$(tenant_id)s`),
        },
        {
            service: { name: "glance", type: "image", description: "OpenStack Image Service" },
            urls: same(`http://${c}:9292/v2`),
        },
        {
            service: { name: "quantum", type: "network", description: "OpenStack Networking service" },
            urls: same(`http://${c}:9696/`),
        },
        {
            service: { name: "ec2", type: "ec2", description: "OpenStack EC2 service" },
            urls: {
                public: `http://${c}:8773/services/Cloud`,
                internal: `http://${c}:8773/services/Cloud`,
                admin: `http://${c}:8773/services/Admin`,
            },
        },
    ];
    if (h.swift) {
        entries.push({
            service: { name: "swift", type: "object-store", description: "OpenStack Storage Service" },
            urls: {
                public: `http://${h.swift}:8080/v1/AUTH_$(tenant_id)s`,
                internal: `http://${h.swift}:8080/v1/AUTH_$(tenant_id)s`,
                admin: `http://${h.swift}:8080/v1`,
            },
        });
    }
    return entries;
}

/** Zed (docs/sources.md#zed): identity as `keystone-manage bootstrap` registers it, then the services. */
export function v3Catalog(h: CatalogHosts): CatalogEntry[] {
    const c = h.controller;
    const entries: CatalogEntry[] = [
        {
            service: { name: "keystone", type: "identity", description: "OpenStack Identity" },
            urls: same(`http://${c}:5000/v3/`),
        },
        { service: { name: "glance", type: "image", description: "OpenStack Image" }, urls: same(`http://${c}:9292`) },
        {
            service: { name: "placement", type: "placement", description: "Placement API" },
            urls: same(`http://${c}:8778`),
        },
        {
            service: { name: "nova", type: "compute", description: "OpenStack Compute" },
            urls: same(`http://${c}:8774/v2.1`),
        },
        {
            service: { name: "neutron", type: "network", description: "OpenStack Networking" },
            urls: same(`http://${c}:9696`),
        },
        {
            service: { name: "cinderv3", type: "volumev3", description: "OpenStack Block Storage" },
            urls: same(`http://${c}:8776/v3/%(project_id)s`),
        },
    ];
    if (h.swift) {
        entries.push({
            service: { name: "swift", type: "object-store", description: "OpenStack Object Storage" },
            urls: {
                public: `http://${h.swift}:8080/v1/AUTH_%(project_id)s`,
                internal: `http://${h.swift}:8080/v1/AUTH_%(project_id)s`,
                admin: `http://${h.swift}:8080/v1`,
            },
        });
    }
    return entries;
}

// ---------------------------------------------------------------------------------------
// Tenants/projects, users, roles, assignments (script [1]: scripts/keystone-data.sh of the Folsom guide, docs/sources.md#folsom)

export interface DataProfile {
    /** Roles the program makes sure exist. */
    readonly roles: readonly string[];
    /** Roles of user admin in tenant/project admin. */
    readonly adminRoles: readonly string[];
    /** Whether the data step owns admin's password (Folsom) or bootstrap does (Zed). */
    readonly adminPassword: boolean;
    /** Description of the service tenant/project. */
    readonly serviceProjectDescription: string;
    /** The service users: which secret (config key) → user name. */
    readonly serviceUsers: Readonly<Partial<Record<string, string>>>;
    /** Roles of every service user in the service project; unset: admin (the article's). */
    readonly serviceRoles?: readonly string[];
}

export interface DataSet {
    readonly projects: { readonly name: string; readonly description: string }[];
    readonly users: { readonly name: string; readonly password?: string; readonly project: string }[];
    readonly roles: string[];
    readonly assignments: { readonly user: string; readonly project: string; readonly role: string }[];
}

export const ADMIN = "admin";
export const SERVICE_PROJECT = "service";

/** The data set: tenants admin + service, user admin, one user per service (role admin, or the profile's `serviceRoles`, in service). */
export function keystoneData(
    p: DataProfile,
    passwords: { admin: string; service: Readonly<Partial<Record<string, string>>> },
): DataSet {
    const services = Object.entries(p.serviceUsers) as [string, string][];
    return {
        projects: [
            { name: ADMIN, description: "" },
            { name: SERVICE_PROJECT, description: p.serviceProjectDescription },
        ],
        roles: [...p.roles],
        users: [
            p.adminPassword
                ? { name: ADMIN, password: passwords.admin, project: ADMIN }
                : { name: ADMIN, project: ADMIN },
            ...services.map(([key, name]) => ({ name, password: passwords.service[key], project: SERVICE_PROJECT })),
        ],
        assignments: [
            ...p.adminRoles.map((role) => ({ user: ADMIN, project: ADMIN, role })),
            ...services.flatMap(([, name]) =>
                (p.serviceRoles ?? ["admin"]).map((role) => ({ user: name, project: SERVICE_PROJECT, role })),
            ),
        ],
    };
}

export type AdminAuth =
    | { readonly token: string }
    | { readonly username: string; readonly password: string; readonly project: string; readonly domain: string };

/** The JSON the data script reads on fd 3 (holds passwords: send on stdin only). */
export function dataSpec(v: { dialect: string; url: string; auth: AdminAuth; record: string; data: DataSet }): string {
    return JSON.stringify({
        dialect: v.dialect,
        url: v.url,
        domain: "default",
        auth: v.auth,
        record: v.record,
        wait: 180,
        ...v.data,
    });
}

/** The JSON of the verify step: log in as admin, expect these service types. */
export function verifySpec(v: {
    dialect: string;
    url: string;
    username: string;
    password: string;
    expect: readonly string[];
}): string {
    return JSON.stringify({
        dialect: v.dialect,
        url: v.url,
        wait: 180,
        expect: [...v.expect],
        auth: { username: v.username, password: v.password, project: ADMIN, domain: "Default" },
    });
}

/** Record of what the data script created (names only), per component. */
export function dataRecord(name: string): string {
    return `${HOST_STATE_DIR}/${name}-data.json`;
}

let keystonePySource: string | undefined;
/** The on-host data script (python 2.7/3; oslab-api.py + oslab-keystone.py), shipped inside the command text. */
export function keystonePy(): string {
    keystonePySource ??= withApiPy(fs.readFileSync(path.join(__dirname, "oslab-keystone.py"), "utf8"));
    return keystonePySource;
}

/** Step body running the data script in `mode`; the spec arrives on stdin (→ fd 3). */
export function dataScript(mode: "apply" | "delete" | "verify"): string {
    return `py=$(command -v python3 || command -v python)
"$py" - ${mode} 3<&0 <<'OSLAB_KEYSTONE_PY'
${keystonePy().trimEnd()}
OSLAB_KEYSTONE_PY`;
}

/** The verify step: the expected types are part of the script so a change re-runs it. */
export function verifyScript(expect: readonly string[]): string {
    return `# expect: ${expect.join(" ")}\n${dataScript("verify")}`;
}

// ---------------------------------------------------------------------------------------
// Credentials file (Listing 3) and openrc

// The credentials file's renderers live in components/shared/client.ts (the demo project's
// openrc uses them too); re-exported here under their old names.
export { credentialsFile, renderCredentials, shellValue } from "../shared/client";
export type { CredentialVars } from "../shared/client";

export type { ClientEnv };

export function v2ClientEnv(authUrl: string): ClientEnv {
    return [
        ["OS_AUTH_URL", authUrl],
        ["OS_TENANT_NAME", ADMIN],
        ["OS_USERNAME", ADMIN],
        ["OS_NO_CACHE", 1],
    ];
}

export function v3ClientEnv(authUrl: string): ClientEnv {
    return [
        ["OS_AUTH_URL", authUrl],
        ["OS_PROJECT_NAME", ADMIN],
        ["OS_USERNAME", ADMIN],
        ["OS_USER_DOMAIN_NAME", "Default"],
        ["OS_PROJECT_DOMAIN_NAME", "Default"],
        ["OS_IDENTITY_API_VERSION", 3],
        ["OS_NO_CACHE", 1],
    ];
}

/** The article's file name, in root's home (every step runs as root). */
export const CREDENTIALS_FILE = "/root/.openstack-credentials";

/**
 * keystone-manage db_sync as the keystone user (not root, as the article does): the
 * first keystone-manage run creates /var/log/keystone/keystone.log, which the service
 * (running as keystone) must be able to write.
 */
export function dbSyncScript(): string {
    return `su -s /bin/sh -c 'keystone-manage db_sync' keystone`;
}

const KEYSTONE_LOG = "/var/log/keystone/keystone.log";
const logOwner = `# keystone-manage run as root must not leave the service's log file root-owned
if [ -e ${KEYSTONE_LOG} ] && [ "$(stat -c %U ${KEYSTONE_LOG})" != keystone ]; then chown keystone:keystone ${KEYSTONE_LOG}; fi`;

/** Marker: the program created the key material (so destroy removes it). */
function keyMarker(what: string): string {
    return `${HOST_STATE_DIR}/keystone-${what}-created`;
}

/**
 * Folsom: the PKI signing certificates Folsom's token_format = PKI needs (Ubuntu's
 * package may have made them already; the article never mentions them).
 */
export function pkiKeysScript(): { create: string; delete: string } {
    const marker = keyMarker("pki");
    return {
        create: `if [ ! -f /etc/keystone/ssl/certs/signing_cert.pem ]; then
  keystone-manage pki_setup
  touch ${marker}
fi
chown -R keystone:keystone /etc/keystone/ssl
${logOwner}`,
        delete: `if [ -f ${marker} ]; then rm -rf /etc/keystone/ssl; rm -f ${marker}; fi`,
    };
}

/** Zed (docs/sources.md#zed): Fernet token keys and credential encryption keys. */
export function fernetKeysScript(): { create: string; delete: string } {
    const steps = [
        ["fernet-keys", "fernet_setup"],
        ["credential-keys", "credential_setup"],
    ] as const;
    return {
        create: [
            ...steps.map(
                ([dir, cmd]) => `if [ ! -e /etc/keystone/${dir}/0 ]; then
  keystone-manage ${cmd} --keystone-user keystone --keystone-group keystone
  touch ${keyMarker(dir)}
fi`,
            ),
            logOwner,
        ].join("\n"),
        delete: steps
            .map(
                ([dir]) => `if [ -f ${keyMarker(dir)} ]; then rm -rf /etc/keystone/${dir}; rm -f ${keyMarker(dir)}; fi`,
            )
            .join("\n"),
    };
}

/**
 * Zed: `keystone-manage bootstrap` (docs/sources.md#zed). The admin password arrives on stdin and
 * reaches keystone-manage as OS_BOOTSTRAP_PASSWORD in its environment, never argv.
 * Re-running it is safe: it finds what exists and resets the password.
 */
export function bootstrapScript(v: { identityUrl: string; region: string }): string {
    const args = [
        "--bootstrap-username admin",
        "--bootstrap-project-name admin",
        "--bootstrap-role-name admin",
        "--bootstrap-service-name keystone",
        `--bootstrap-region-id ${shq(v.region)}`,
        `--bootstrap-admin-url ${v.identityUrl}`,
        `--bootstrap-internal-url ${v.identityUrl}`,
        `--bootstrap-public-url ${v.identityUrl}`,
    ];
    return `OS_BOOTSTRAP_PASSWORD=$(cat)
export OS_BOOTSTRAP_PASSWORD
# su keeps the environment (no -l); the password is never on a command line
su -s /bin/sh -c ${shq(`keystone-manage bootstrap ${args.join(" ")}`)} keystone
unset OS_BOOTSTRAP_PASSWORD`;
}

/** A host-dependent fix applied by its own step before the restart. */
export interface HostFix {
    /** Child name suffix. */
    readonly id: string;
    readonly create: string;
    readonly delete: string;
}

export const KEYSTONE_UWSGI_INI = "/etc/keystone/keystone-uwsgi.ini";

/**
 * Debian's keystone-uwsgi.ini loads uwsgi's apparmor plugin and switches to the
 * AppArmor profile "keystone". Where that profile is not loaded (no AppArmor in the
 * kernel, as in the lab, or AppArmor without such a profile: Debian's profile is named
 * after /usr/bin/keystone-wsgi-public) uwsgi exits with "aa_change_profile(): Invalid
 * argument". There load only the python3 plugin (uwsgi then ignores apparmor-profile);
 * where the profile is loaded keep (or restore) the packaged file.
 */
export function uwsgiApparmorFix(): HostFix {
    const editor = editorPy().trimEnd();
    const spec = JSON.stringify({ set: { uwsgi: { plugins: "python3" } } });
    return {
        id: "uwsgi-apparmor",
        create: `py=$(command -v python3 || command -v python)
profile_loaded() {
  [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] || return 1
  [ -r /sys/kernel/security/apparmor/profiles ] || return 1
  grep -q '^keystone ' /sys/kernel/security/apparmor/profiles
}
if profile_loaded; then
  "$py" - restore ${KEYSTONE_UWSGI_INI} 3</dev/null <<'OSLAB_EDIT_PY'
${editor}
OSLAB_EDIT_PY
else
  "$py" - ini ${KEYSTONE_UWSGI_INI} 3<<<${shq(spec)} <<'OSLAB_EDIT_PY'
${editor}
OSLAB_EDIT_PY
fi`,
        delete: `py=$(command -v python3 || command -v python)
"$py" - restore ${KEYSTONE_UWSGI_INI} 3</dev/null <<'OSLAB_EDIT_PY'
${editor}
OSLAB_EDIT_PY`,
    };
}
