// Pure renderers for Placement (Zed only: extracted from Nova in Stein, placement unmaintained/zed doc/source/install/).
import { IniDoc } from "../shared/ini";
import { keystoneAuthtoken } from "../shared/oslo";

export interface PlacementConfValues {
    readonly controllerIp: string;
    readonly region: string;
    /** [placement_database] connection (secret). */
    readonly dbUrl: string;
    /** Keystone password of the `placement` service user (secret). */
    readonly password: string;
}

/** /etc/placement/placement.conf: database, Keystone auth (region_name: see keystoneAuthtoken). */
export function placementConf(v: PlacementConfValues): IniDoc {
    return {
        placement_database: { connection: v.dbUrl },
        api: { auth_strategy: "keystone" },
        keystone_authtoken: keystoneAuthtoken(v.controllerIp, v.region, "placement", v.password),
    };
}
