// MysqlDatabase — a MySQL/MariaDB database plus a user granted ALL on it from '%'
// (the article's Listing 1: `CREATE DATABASE nova; GRANT ALL PRIVILEGES ON nova.* TO
// 'novadbadmin'@'%' IDENTIFIED BY 'dieD9Mie';`), and the SQLAlchemy URL the services use.
//
// Identity: ID = database name (natural key). Token `pulumi-nodejs:dynamic/infra:MysqlDatabase`.
// Where it connects: over SSH (providers/ssh.ts) to `connection.host` as the SSH user
// (root), running the local client as `mysql -u root` (the article's root has no
// password; Debian's MariaDB authenticates root over the unix socket). All SQL travels
// on stdin; the script in the exec request contains no secret.
//
// Changes
// - password: in place (GRANT … IDENTIFIED BY resets it; the database and its data stay).
// - host (the address in the URL), urlScheme, connection port/user/key: outputs only.
// - database, user, connection.host (the rule of providers/ssh.ts): REPLACE. deleteBeforeReplace whenever the old and
//   the new instance would share a name: two resources with the same database (or the
//   same user) cannot coexist, because deleting the old one drops that database (or
//   user) out from under the new one. Only when both names change do they coexist
//   (create-before-delete). A connection.host change keeps both names, so it deletes
//   first too (the "new" host may be the same server under another address).
//   A replace starts from an empty database: data does not move with a rename.
// - delete: end the user's and the database's sessions, DROP DATABASE IF EXISTS + drop
//   the user (absence tolerated).
// - read (refresh): no id when the database, the user or its grant is gone (the next
//   `up` re-runs the find-or-create `create`, which keeps an existing database);
//   `password` reads back as "" when the live password hash differs (→ update).
//
// SQL dialect: MySQL 5.5 (Folsom on Ubuntu 12.04) and MariaDB 10.11 (Debian 12 / Zed):
// no CREATE USER IF NOT EXISTS / DROP USER IF EXISTS; GRANT … IDENTIFIED BY creates or
// re-passwords the user (allowed under MariaDB's NO_AUTO_CREATE_USER because it carries
// a password), and `GRANT USAGE … IDENTIFIED BY …; DROP USER …` drops a user that may
// not exist. Passwords: printable ASCII, escaped for SQL ('' and \\) and percent-encoded
// in the URL (SQLAlchemy unquotes the password; also keeps oslo.config's `$` out).

import * as pulumi from "@pulumi/pulumi";
import { checkStart, diffFields, isUnknown, SshProvider } from "./ssh";
import type { CheckOutcome, SshConnection, SshConnectionArgs } from "./ssh";
import { SshResource, type DynamicKind } from "./resource";

export interface MysqlDatabaseArgs {
    /** SSH connection to the database server (the controller); privateKey secret. */
    readonly connection: pulumi.Input<SshConnectionArgs>;
    /** Database name, e.g. "nova" ([A-Za-z0-9_], ≤ 64). Replaces on change. */
    readonly database: pulumi.Input<string>;
    /** User granted ALL on the database from '%', e.g. "novadbadmin" ([A-Za-z0-9_], ≤ 16). Replaces on change. */
    readonly user: pulumi.Input<string>;
    /** The user's password (secret; printable ASCII). Updated in place. */
    readonly password: pulumi.Input<string>;
    /** The database server address used in `connectionUrl`, e.g. the controller's management IP. */
    readonly host: pulumi.Input<string>;
    /** URL scheme: "mysql" (Folsom, default) or "mysql+pymysql" (Zed). */
    readonly urlScheme?: pulumi.Input<string>;
}

/** Checked inputs as the provider receives them. */
export interface MysqlDatabaseInputs {
    connection: SshConnection;
    database: string;
    user: string;
    password: string;
    host: string;
    urlScheme: string;
}

export interface MysqlDatabaseOutputs extends MysqlDatabaseInputs {
    /** `scheme://user:password@host/database` (secret). */
    connectionUrl: string;
}

export const MYSQL_URL_SCHEMES = ["mysql", "mysql+pymysql", "mysql+mysqldb"];
/** Names whose drop would break the server itself. */
export const MYSQL_RESERVED_DATABASES = ["mysql", "information_schema", "performance_schema", "sys"];
export const MYSQL_RESERVED_USERS = ["root", "mysql", "mariadb.sys", "debian-sys-maint"];

/** The script run over SSH; the SQL arrives on its stdin. */
export const MYSQL_CLIENT_SCRIPT = "set -euo pipefail\nmysql --batch --skip-column-names -u root";

/**
 * Delete: first end the sessions of the database's user and of any session using the
 * database (the service may still run: a pool's idle transaction holds a metadata lock
 * that DROP DATABASE waits on for ever), then the SQL on stdin. Names only; no secret.
 */
export function mysqlDeleteScript(i: Pick<MysqlDatabaseInputs, "database" | "user">): string {
    return `set -euo pipefail
mysql --batch --skip-column-names -u root <<'SQL' | mysql -u root --force >/dev/null 2>&1 || true
SELECT CONCAT('KILL ', ID, ';') FROM information_schema.PROCESSLIST WHERE USER = ${mysqlString(i.user)} OR DB = ${mysqlString(i.database)};
SQL
mysql --batch --skip-column-names -u root`;
}

/** A SQL string literal valid with and without NO_BACKSLASH_ESCAPES for printable ASCII. Pure. */
export function mysqlString(s: string): string {
    return "'" + s.split("\\").join("\\\\").split("'").join("''") + "'";
}

/** A quoted identifier (names are validated to [A-Za-z0-9_] by check). Pure. */
export function mysqlIdent(s: string): string {
    return "`" + s.split("`").join("``") + "`";
}

/** Percent-encodes everything but RFC 3986 unreserved characters. Pure. */
export function urlEncodeStrict(s: string): string {
    let out = "";
    for (const ch of Buffer.from(s, "utf8")) {
        const c = String.fromCharCode(ch);
        out += /[A-Za-z0-9._~-]/.test(c) ? c : "%" + ch.toString(16).toUpperCase().padStart(2, "0");
    }
    return out;
}

/** `scheme://user:password@host/database`. Pure. */
export function mysqlConnectionUrl(
    i: Pick<MysqlDatabaseInputs, "urlScheme" | "user" | "password" | "host" | "database">,
): string {
    return `${i.urlScheme}://${urlEncodeStrict(i.user)}:${urlEncodeStrict(i.password)}@${i.host}/${i.database}`;
}

/** Validates and normalizes (urlScheme default "mysql"); unknowns pass. Pure. */
export function checkMysqlDatabase(news: Record<string, unknown>): CheckOutcome {
    const { inputs, failures } = checkStart(news);

    // A MySQL name: 1–max characters of [A-Za-z0-9_], not one the server itself needs.
    const name = (property: "database" | "user", max: number, limit: string, reserved: string[], what: string) => {
        const v = news[property];
        if (!isUnknown(v)) {
            if (typeof v !== "string" || !new RegExp(`^[A-Za-z0-9_]{1,${max}}$`).test(v)) {
                failures.push({ property, reason: `${property} must be 1-${max} characters of [A-Za-z0-9_]${limit}` });
            } else if (reserved.includes(v.toLowerCase())) {
                failures.push({ property, reason: `${property} must not be a ${what} (${reserved.join(", ")})` });
            }
        }
        inputs[property] = v;
    };
    name("database", 64, "", MYSQL_RESERVED_DATABASES, "system schema");
    name("user", 16, " (MySQL 5.5 limit)", MYSQL_RESERVED_USERS, "system account");

    const pw = news.password;
    if (!isUnknown(pw)) {
        if (typeof pw !== "string" || pw.length === 0 || pw.length > 128) {
            failures.push({
                property: "password",
                reason: "password must be a non-empty string of at most 128 characters",
            });
        } else if (!/^[\x20-\x7e]+$/.test(pw)) {
            failures.push({ property: "password", reason: "password must consist of printable ASCII characters" });
        }
    }
    inputs.password = pw;

    const host = news.host;
    if (
        !isUnknown(host) &&
        (typeof host !== "string" ||
            !/^([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$/.test(host))
    ) {
        failures.push({ property: "host", reason: "host must be a host name or IP address (optionally :port)" });
    }
    inputs.host = host;

    const scheme = news.urlScheme === undefined || news.urlScheme === null ? "mysql" : news.urlScheme;
    if (!isUnknown(scheme) && (typeof scheme !== "string" || !MYSQL_URL_SCHEMES.includes(scheme))) {
        failures.push({ property: "urlScheme", reason: `urlScheme must be one of ${MYSQL_URL_SCHEMES.join(", ")}` });
    }
    inputs.urlScheme = scheme;
    return { inputs, failures };
}

/**
 * Field-by-field diff of stored outputs against new inputs (the shared `diffFields`, with
 * the connection rule of providers/ssh.ts). Unknowns count as changes. Pure.
 */
export function diffMysqlDatabase(
    olds: Partial<MysqlDatabaseOutputs>,
    news: Record<string, unknown>,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
    const { replaces, changed } = diffFields(olds, news, {
        replace: ["database", "user"],
        update: ["password", "host", "urlScheme"],
    });
    const deleteBeforeReplace = replaces.length > 0 && !(changed.includes("database") && changed.includes("user"));
    return { changes: changed.length > 0, replaces, deleteBeforeReplace };
}

export type MysqlOperation = "create" | "update" | "delete" | "read";

/**
 * The SQL for an operation (sent on stdin to `mysql -u root`). `update` returns the
 * SQL for a password change, or undefined when only outputs change. Pure.
 */
export function planMysqlDatabase(
    op: MysqlOperation,
    i: Pick<MysqlDatabaseInputs, "database" | "user" | "password">,
): string {
    const db = mysqlIdent(i.database);
    const account = `${mysqlString(i.user)}@'%'`;
    const pw = mysqlString(i.password);
    switch (op) {
        case "create":
            return [
                `CREATE DATABASE IF NOT EXISTS ${db};`,
                `GRANT ALL PRIVILEGES ON ${db}.* TO ${account} IDENTIFIED BY ${pw};`,
                "FLUSH PRIVILEGES;",
                "",
            ].join("\n");
        case "update":
            return [`GRANT ALL PRIVILEGES ON ${db}.* TO ${account} IDENTIFIED BY ${pw};`, "FLUSH PRIVILEGES;", ""].join(
                "\n",
            );
        case "delete":
            // a session that came back between the KILLs and the DROP fails the step in 60 s instead of hanging
            return [
                "SET SESSION lock_wait_timeout = 60;",
                `DROP DATABASE IF EXISTS ${db};`,
                `GRANT USAGE ON *.* TO ${account} IDENTIFIED BY ${pw};`,
                `DROP USER ${account};`,
                "FLUSH PRIVILEGES;",
                "",
            ].join("\n");
        case "read":
            return (
                [
                    "SELECT",
                    `(SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${mysqlString(i.database)}),`,
                    `(SELECT COUNT(*) FROM mysql.user WHERE User = ${mysqlString(i.user)} AND Host = '%'),`,
                    `(SELECT COUNT(*) FROM mysql.db WHERE Db = ${mysqlString(i.database)} AND User = ${mysqlString(i.user)} AND Host = '%'),`,
                    `(SELECT COUNT(*) FROM mysql.user WHERE User = ${mysqlString(i.user)} AND Host = '%' AND Password = PASSWORD(${pw}));`,
                ].join("\n") + "\n"
            );
    }
}

/** The SQL an update needs: a password change re-grants; other changes need none. Pure. */
export function planMysqlDatabaseUpdate(olds: MysqlDatabaseOutputs, news: MysqlDatabaseInputs): string | undefined {
    return olds.password !== news.password ? planMysqlDatabase("update", news) : undefined;
}

/** Parses the `read` query output (one tab-separated row of four counts). Pure. */
export function parseMysqlRead(stdout: string): {
    database: boolean;
    user: boolean;
    grant: boolean;
    password: boolean;
} {
    const cols = stdout.trim().split(/\s+/);
    if (cols.length !== 4 || cols.some((c) => !/^[0-9]+$/.test(c))) {
        throw new Error(`unexpected read output: ${JSON.stringify(stdout.slice(0, 200))}`);
    }
    const [d, u, g, p] = cols.map(Number);
    return { database: d > 0, user: u > 0, grant: g > 0, password: p > 0 };
}

/** The outputs for checked inputs (no undefined values: they must survive a protobuf Struct). Pure. */
export function mysqlDatabaseOutputs(i: MysqlDatabaseInputs): MysqlDatabaseOutputs {
    return {
        connection: i.connection,
        database: i.database,
        user: i.user,
        password: i.password,
        host: i.host,
        urlScheme: i.urlScheme,
        connectionUrl: mysqlConnectionUrl(i),
    };
}

/** The provider: the pure functions above and the four operations over SSH (providers/ssh.ts). */
export const MYSQL_DATABASE_PROVIDER = new SshProvider<MysqlDatabaseInputs, MysqlDatabaseOutputs>({
    check: checkMysqlDatabase,
    diff: diffMysqlDatabase,
    describe: (p, id) => `MysqlDatabase ${p.database ?? id}`,

    create: async (ssh, inputs) => {
        await ssh((s) =>
            s.run("create database and grant user", MYSQL_CLIENT_SCRIPT, {
                stdin: planMysqlDatabase("create", inputs),
                secrets: [inputs.password],
            }),
        );
        return { id: inputs.database, outs: mysqlDatabaseOutputs(inputs) };
    },

    read: async (ssh, id, props) => {
        const state = await ssh(async (s) => {
            const r = await s.run("read database and user", MYSQL_CLIENT_SCRIPT, {
                stdin: planMysqlDatabase("read", props),
                secrets: [props.password],
            });
            return parseMysqlRead(r.stdout);
        });
        if (!state.database || !state.user || !state.grant) {
            return {};
        }
        return { id, props: { ...props, password: state.password ? props.password : "" } };
    },

    update: async (ssh, _id, olds, news) => {
        const sql = planMysqlDatabaseUpdate(olds, news);
        if (sql !== undefined) {
            await ssh((s) =>
                s.run("change user password", MYSQL_CLIENT_SCRIPT, {
                    stdin: sql,
                    secrets: [news.password, olds.password],
                }),
            );
        }
        return { outs: mysqlDatabaseOutputs(news) };
    },

    delete: async (ssh, _id, props) => {
        await ssh((s) =>
            s.run("drop database and user", mysqlDeleteScript(props), {
                stdin: planMysqlDatabase("delete", props),
                secrets: [props.password],
            }),
        );
    },
});

/** `pulumi-nodejs:dynamic/infra:MysqlDatabase`, with its one provider instance (providers/resource.ts). */
const MYSQL_DATABASE: DynamicKind = {
    provider: MYSQL_DATABASE_PROVIDER,
    module: "infra",
    type: "MysqlDatabase",
    secretOutputs: ["password", "connectionUrl"],
};

/** A database and its user on the controller's MySQL/MariaDB (the article's Listing 1). */
export class MysqlDatabase extends SshResource {
    declare readonly connection: pulumi.Output<SshConnection>;
    declare readonly database: pulumi.Output<string>;
    declare readonly user: pulumi.Output<string>;
    declare readonly password: pulumi.Output<string>;
    declare readonly host: pulumi.Output<string>;
    declare readonly urlScheme: pulumi.Output<string>;
    /** `scheme://user:password@host/database` (secret). */
    declare readonly connectionUrl: pulumi.Output<string>;

    constructor(name: string, args: MysqlDatabaseArgs, opts?: pulumi.CustomResourceOptions) {
        const props = {
            connection: pulumi.secret(args.connection),
            database: args.database,
            user: args.user,
            password: pulumi.secret(args.password),
            host: args.host,
            urlScheme: args.urlScheme ?? "mysql",
            connectionUrl: undefined,
        };
        super(MYSQL_DATABASE, name, props, opts);
    }
}
