// Release-specific facts of the base layer (folsom-facts.md §5.0, §6, §7.2, §7.12).
import { Release } from "../../config";
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

export const baseProfiles: Record<Release, BaseProfile> = {
    folsom: {
        distribution: "Ubuntu 12.04 (precise) with the Ubuntu Cloud Archive",
        aptSource: {
            keyringPackage: "ubuntu-cloud-keyring",
            file: "/etc/apt/sources.list.d/cloud.list",
            line: "deb http://ubuntu-cloud.archive.canonical.com/ubuntu precise-updates/folsom main",
        },
        ntp: { packages: ["ntp"], service: "ntp" },
        rabbitmq: {
            packages: ["rabbitmq-server"],
            service: "rabbitmq-server",
            // RabbitMQ 2.7 reads no password from stdin: evaluate an Erlang expression that
            // reads the root-only file, so the password never reaches a command line.
            user: "guest",
            setPassword: `rabbitmqctl eval "{ok, P} = file:read_file(\\"$pwfile\\"), rabbit_auth_backend_internal:change_password(<<\\"$user\\">>, P)." >/dev/null`,
        },
        mysql: {
            packages: ["mysql-server", "python-mysqldb"],
            service: "mysql",
            configFile: "/etc/mysql/conf.d/openstack-lab.cnf",
            config: (bindAddress) => ({ mysqld: { "bind-address": bindAddress } }),
            urlScheme: "mysql",
        },
    },
    zed: {
        distribution: "Debian 12 (bookworm)",
        ntp: { packages: ["chrony"], service: "chrony" },
        rabbitmq: {
            packages: ["rabbitmq-server"],
            service: "rabbitmq-server",
            user: "openstack",
            // rabbitmqctl ≥ 3.7 reads the password from stdin when it is omitted.
            setPassword: `if rabbitmqctl -q list_users | awk '{print $1}' | grep -qx "$user"; then
  rabbitmqctl -q change_password "$user" < "$pwfile" >/dev/null
else
  rabbitmqctl -q add_user "$user" < "$pwfile" >/dev/null
fi
rabbitmqctl -q set_permissions "$user" '.*' '.*' '.*' >/dev/null`,
        },
        mysql: {
            packages: ["mariadb-server", "python3-pymysql"],
            service: "mariadb",
            configFile: "/etc/mysql/mariadb.conf.d/99-openstack-lab.cnf",
            config: (bindAddress) => ({
                mysqld: {
                    "bind-address": bindAddress,
                    "default-storage-engine": "innodb",
                    innodb_file_per_table: "on",
                    max_connections: 4096,
                    "collation-server": "utf8_general_ci",
                    "character-set-server": "utf8",
                },
            }),
            urlScheme: "mysql+pymysql",
        },
    },
};
