// Pure renderers for Cinder: cinder.conf per release, Folsom's api-paste.ini authtoken
// filter, the tgt workaround and the volume-group step.
import { IniDoc, IniSection } from "../shared/ini";
import { shq } from "../shared/script";
import { keystoneAuthtoken, pasteAuthtoken, rabbitTransportUrl } from "../shared/oslo";

export interface CinderConfValues {
    /** The controller, where Cinder runs (article: Alice). */
    readonly controllerIp: string;
    readonly region: string;
    /** Cinder's database URL (secret). */
    readonly dbUrl: string;
    readonly rabbit: { readonly user: string; readonly password: string };
    /** Keystone password of the `cinder` service user (secret). */
    readonly password: string;
    /** LVM volume group cinder-volume allocates from. */
    readonly volumeGroup: string;
}

/**
 * Folsom cinder.conf (docs/sources.md#folsom): the article's sql_connection, plus what it leaves to the
 * package or to defaults that no longer hold here: the broker on the controller with
 * the generated password, keystone auth (Folsom's default is noauth), the volume group.
 */
export function cinderConfFlat(v: CinderConfValues): IniDoc {
    return {
        DEFAULT: {
            sql_connection: v.dbUrl,
            rabbit_host: v.controllerIp,
            rabbit_userid: v.rabbit.user,
            rabbit_password: v.rabbit.password,
            auth_strategy: "keystone",
            volume_group: v.volumeGroup,
        },
    };
}

/** Zed cinder.conf (docs/sources.md#zed): [keystone_authtoken] in cinder.conf, LVM backend over tgt. */
export function cinderConf(v: CinderConfValues): IniDoc {
    const ctl = v.controllerIp;
    return {
        DEFAULT: {
            transport_url: rabbitTransportUrl(v.rabbit.user, v.rabbit.password, ctl),
            auth_strategy: "keystone",
            my_ip: ctl,
            glance_api_servers: `http://${ctl}:9292`,
            enabled_backends: "lvm",
        },
        database: { connection: v.dbUrl },
        keystone_authtoken: keystoneAuthtoken(ctl, v.region, "cinder", v.password),
        oslo_concurrency: { lock_path: "/var/lib/cinder/tmp" },
        lvm: {
            volume_driver: "cinder.volume.drivers.lvm.LVMVolumeDriver",
            volume_group: v.volumeGroup,
            target_protocol: "iscsi",
            target_helper: "tgtadm",
        },
    };
}

/** Folsom api-paste.ini [filter:authtoken]: the service_* entries mirror the auth_* ones (article). */
export function cinderApiPaste(ctl: string, password: string): IniDoc {
    const section: IniSection = {
        service_protocol: "http",
        service_host: ctl,
        service_port: 5000,
        ...pasteAuthtoken(ctl, "cinder", password),
    };
    return { "filter:authtoken": section };
}

/** The article's tgt workaround: targets.conf includes only Cinder's target file. */
export function tgtTargetsCinderOnly(): string {
    return "include /etc/tgt/conf.d/cinder_tgt.conf\n";
}

/**
 * Make sure the volume group exists (check-then-act). Missing and `device` given: turn
 * the device into a physical volume (unless it is one) and create the group. Missing
 * and no device: fail, naming the group and the config keys. The group is never
 * removed by the program (it may hold data; destroy leaves it).
 */
export function volumeGroupScript(volumeGroup: string, host: string, device?: string): string {
    const vg = shq(volumeGroup);
    const head = `if vgs ${vg} >/dev/null 2>&1; then
  echo "volume group ${volumeGroup} present"
  exit 0
fi`;
    if (!device) {
        return `${head}
echo ${shq(
            `LVM volume group "${volumeGroup}" does not exist on ${host}, and cinder-volume needs it. ` +
                `Create it (pvcreate/vgcreate), or set openstack-lab:cinder.device to a free block device the program may turn into "${volumeGroup}", ` +
                `or set openstack-lab:cinder.volumeService to false to run Cinder without cinder-volume.`,
        )} >&2
exit 1`;
    }
    const dev = shq(device);
    return `${head}
if [ ! -b ${dev} ]; then
  echo ${shq(`${device} (openstack-lab:cinder.device) is not a block device on ${host}; cannot create volume group "${volumeGroup}"`)} >&2
  exit 1
fi
pvs ${dev} >/dev/null 2>&1 || pvcreate ${dev}
vgcreate ${vg} ${dev}`;
}
