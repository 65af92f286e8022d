// Every secret the cloud needs: taken from the stack config when set there
// (`pulumi config set --secret …`), otherwise generated once with @pulumi/random and
// kept in the stack's state. Never the article's literal passwords.
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
}

/**
 * Alphanumeric only: the values end up in SQLAlchemy URLs, INI files and shell-free
 * JSON; 32 characters of [A-Za-z0-9] are ~190 bits.
 */
export const GENERATED = { length: 32, special: false } as const;

export class SecretsComponent extends pulumi.ComponentResource implements Secrets {
    readonly adminPassword: pulumi.Output<string>;
    readonly adminToken: pulumi.Output<string>;
    readonly rabbitPassword: pulumi.Output<string>;
    readonly metadataSecret: pulumi.Output<string>;
    readonly db: Readonly<Record<DbService, pulumi.Output<string>>>;
    readonly service: Readonly<Record<ServiceUser, pulumi.Output<string>>>;

    constructor(name: string, given: SecretConfig, opts?: pulumi.ComponentResourceOptions) {
        super("oslab:infra:Secrets", name, {}, opts);
        const pick = (key: string, value: pulumi.Output<string> | undefined) =>
            pulumi.secret(value ?? new random.RandomPassword(`${name}-${key}`, GENERATED, { parent: this }).result);
        this.adminPassword = pick("admin-password", given.adminPassword);
        this.adminToken = pick("admin-token", given.adminToken);
        this.rabbitPassword = pick("rabbit-password", given.rabbitPassword);
        this.metadataSecret = pick("metadata-secret", given.metadataSecret);
        this.db = Object.fromEntries(DB_SERVICES.map((s) => [s, pick(`db-${s}`, given.dbPasswords[s])])) as Record<
            DbService,
            pulumi.Output<string>
        >;
        this.service = Object.fromEntries(
            SERVICE_USERS.map((s) => [s, pick(`user-${s}`, given.servicePasswords[s])]),
        ) as Record<ServiceUser, pulumi.Output<string>>;
        this.registerOutputs({});
    }
}
