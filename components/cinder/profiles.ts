// Release facts of Cinder (docs/sources.md#folsom, #zed). Zed checked against
// Debian 12's cinder-* 21.3.1 and tgt 1.0.85: cinder-api runs under uwsgi from its
// init script (port 8776); cinder-volume ships /etc/tgt/conf.d/cinder_tgt.conf and
// Debian's targets.conf includes conf.d, so the article's tgt workaround is Folsom-only.
import { IniDoc } from "../shared/ini";
import * as render from "./render";

export interface CinderProfile {
    /** API and scheduler (always), volume service (when `cinder.volumeService`). */
    readonly packages: { readonly api: readonly string[]; readonly volume: readonly string[] };
    readonly services: { readonly api: readonly string[]; readonly volume: readonly string[] };
    /** Started (not restarted) with the volume service: the iSCSI target daemon. */
    readonly volumeDaemons: readonly string[];
    readonly port: number;
    /** cinder-api's uwsgi ini, where config `apiWorkers` sets `[uwsgi] processes`; unset: no uwsgi (Folsom). */
    readonly uwsgiIni?: string;
    readonly conf: {
        readonly path: string;
        readonly group: string;
        readonly render: (v: render.CinderConfValues) => IniDoc;
        /**
         * Sections the program writes whole: the packaged section is removed before its keys
         * are set (and restored on destroy); unset: none, the keys are merged into it.
         */
        readonly replaceSections?: readonly string[];
    };
    readonly apiPaste?: { readonly path: string; readonly render: (ctl: string, password: string) => IniDoc };
    readonly database: { readonly name: string; readonly user: string };
    readonly urlScheme: "mysql" | "mysql+pymysql";
    /** Port written into the database URL (the article's `:3306`); unset: none. */
    readonly dbPort?: number;
    /** Run as the cinder user. */
    readonly dbSync: string;
    /** The tgt workaround (Folsom), written with the volume service. */
    readonly tgtTargets?: { readonly path: string; readonly content: string };
}
