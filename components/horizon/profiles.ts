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
    /** Path of the dashboard under the web server (Ubuntu's and Debian's alias). */
    readonly urlPath: string;
    readonly loginPath: string;
}
