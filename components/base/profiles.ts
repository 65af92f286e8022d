// The shape of a release's base layer (values: docs/sources.md#folsom, #zed).
import { IniDoc } from "../shared/ini";

export interface AptSource {
    /** Package holding the archive's signing key. */
    readonly keyringPackage: string;
    /** sources.list.d file and its line. */
    readonly file: string;
    readonly line: string;
}

export interface BaseProfile {
    /** The distribution the release is installed on (for messages and docs). */
    readonly distribution: string;
    /** Extra package archive (Folsom: the Ubuntu Cloud Archive). */
    readonly aptSource?: AptSource;
    readonly ntp: { readonly packages: readonly string[]; readonly service: string };
    readonly rabbitmq: {
        readonly packages: readonly string[];
        readonly service: string;
        /** The RabbitMQ user every service logs in as. */
        readonly user: string;
        /** Bash that sets $user's password from the file named by $pwfile (no argv secrets). */
        readonly setPassword: string;
    };
    readonly mysql: {
        readonly packages: readonly string[];
        readonly service: string;
        /** Drop-in file that sets bind-address and friends. */
        readonly configFile: string;
        readonly config: (bindAddress: string) => IniDoc;
        /** SQLAlchemy URL scheme the services use. */
        readonly urlScheme: "mysql" | "mysql+pymysql";
    };
}
