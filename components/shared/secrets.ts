// Every secret the cloud needs: taken from the stack config when set there
// (`pulumi config set --secret …`), otherwise generated once with @pulumi/random and
// kept in the stack's state. Never the article's literal passwords.
//
// Rotation: config `secretRotation` holds a counter per secret (and `all`); a generated
// secret whose counter (its own + `all`) is above 0 carries it as its RandomPassword's
// `keepers`, and @pulumi/random replaces the value whenever keepers change
// (https://www.pulumi.com/registry/packages/random/api-docs/randompassword/). A counter of
// 0 sets no keepers, so stacks that never rotated keep their values.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DB_SERVICES, DbService, SERVICE_USERS, SecretConfig, ServiceUser } from "../../config";

export interface Secrets {
    readonly adminPassword: pulumi.Output<string>;
    /** Keystone's admin_token (Folsom bootstraps with it; Zed disables it after bootstrap). */
    readonly adminToken: pulumi.Output<string>;
    readonly rabbitPassword: pulumi.Output<string>;
    /** Shared secret between nova's metadata API and Neutron's metadata agent (Zed). */
    readonly metadataSecret: pulumi.Output<string>;
    readonly db: Readonly<Record<DbService, pulumi.Output<string>>>;
    readonly service: Readonly<Record<ServiceUser, pulumi.Output<string>>>;
    /** Password of the demo user (config `demo`); only generated when there is one. */
    readonly demoPassword?: pulumi.Output<string>;
}

/** Secrets generated only when the stack asks for what uses them. */
export interface OptionalSecrets {
    /** The demo user's password (config key `demo` set). */
    readonly demoPassword?: boolean;
}

/**
 * Alphanumeric only: the values end up in SQLAlchemy URLs, INI files and shell-free
 * JSON; 32 characters of [A-Za-z0-9] are ~190 bits.
 */
export const GENERATED = { length: 32, special: false } as const;

/** The rotation counter of one generated secret: its own plus `all`. Pure. */
export function rotationOf(rotation: Readonly<Record<string, number>>, configKey: string): number {
    return (rotation.all ?? 0) + (rotation[configKey] ?? 0);
}

export class SecretsComponent extends pulumi.ComponentResource implements Secrets {
    readonly adminPassword: pulumi.Output<string>;
    readonly adminToken: pulumi.Output<string>;
    readonly rabbitPassword: pulumi.Output<string>;
    readonly metadataSecret: pulumi.Output<string>;
    readonly db: Readonly<Record<DbService, pulumi.Output<string>>>;
    readonly service: Readonly<Record<ServiceUser, pulumi.Output<string>>>;
    readonly demoPassword?: pulumi.Output<string>;

    constructor(
        name: string,
        given: SecretConfig,
        rotation: Readonly<Record<string, number>> = {},
        optional: OptionalSecrets = {},
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("oslab:infra:Secrets", name, {}, opts);
        const pick = (key: string, configKey: string, value: pulumi.Output<string> | undefined) => {
            if (value) {
                return pulumi.secret(value);
            }
            const n = rotationOf(rotation, configKey);
            const args = n > 0 ? { ...GENERATED, keepers: { rotation: String(n) } } : GENERATED;
            return pulumi.secret(new random.RandomPassword(`${name}-${key}`, args, { parent: this }).result);
        };
        this.adminPassword = pick("admin-password", "adminPassword", given.adminPassword);
        this.adminToken = pick("admin-token", "adminToken", given.adminToken);
        this.rabbitPassword = pick("rabbit-password", "rabbitPassword", given.rabbitPassword);
        this.metadataSecret = pick("metadata-secret", "metadataSecret", given.metadataSecret);
        this.db = Object.fromEntries(
            DB_SERVICES.map((s) => [s, pick(`db-${s}`, `dbPasswords.${s}`, given.dbPasswords[s])]),
        ) as Record<DbService, pulumi.Output<string>>;
        this.service = Object.fromEntries(
            SERVICE_USERS.map((s) => [s, pick(`user-${s}`, `servicePasswords.${s}`, given.servicePasswords[s])]),
        ) as Record<ServiceUser, pulumi.Output<string>>;
        if (optional.demoPassword) {
            this.demoPassword = pick("demo-password", "demoPassword", undefined);
        }
        this.registerOutputs({});
    }
}
