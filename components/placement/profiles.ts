// Release facts of Placement. Folsom has none (Nova scheduled by itself until Stein);
// Zed: Debian 12's placement-api 8.0.0 (uwsgi from /etc/init.d/placement-api, port 8778).
import { IniDoc } from "../shared/ini";
import * as render from "./render";

export interface PlacementProfile {
    readonly packages: readonly string[];
    readonly service: string;
    readonly port: number;
    readonly conf: {
        readonly path: string;
        readonly group: string;
        readonly render: (v: render.PlacementConfValues) => IniDoc;
    };
    readonly database: { readonly name: string; readonly user: string };
    readonly urlScheme: "mysql" | "mysql+pymysql";
    /** placement-api's uwsgi ini, where config `apiWorkers` sets `[uwsgi] processes`; unset: none. */
    readonly uwsgiIni?: string;
    /** Run as the placement user. */
    readonly dbSync: string;
}
