// Release facts of Horizon (docs/sources.md#folsom, #zed).
import * as render from "./render";

export interface HorizonProfile {
    readonly packages: readonly string[];
    /** Packages removed on destroy (those the program installed). */
    readonly purge: readonly string[];
    /** Web server restarted when the settings change. */
    readonly webServer: string;
    /** Cache daemon started at install. */
    readonly cache: string;
    /** File holding the program's settings block (created when missing). */
    readonly settingsFile: string;
    readonly render: (v: render.HorizonValues) => string;
    /** Django cache backend of the sessions (default: render.MEMCACHED_CACHE). */
    readonly cacheBackend?: string;
    /** A web server conf file the program owns (replace mode, removed on destroy). */
    readonly webServerConf?: { readonly path: string; readonly content: string };
    /** Path of the dashboard under the web server (Ubuntu's and Debian's alias). */
    readonly urlPath: string;
    readonly loginPath: string;
}
