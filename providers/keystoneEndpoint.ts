// KeystoneEndpoint: one catalog service (name, type, description) and its
// public/internal/admin URLs in one region — what the article's Listing 2
// (`endpoints.sh -K … -R RegionOne -E http://192.168.122.111:35357/v2.0 -T …`)
// creates for each OpenStack service.
//
// Identity: ID `${type}/${name}/${region}`. The service is found by type+name,
// its endpoints by service+interface+region; `create` is find-or-create, so an
// existing entry (e.g. Keystone's own, from `keystone-manage bootstrap`) is adopted.
// What changes how:
// - service.name, service.type, region, dialect → replace. deleteBeforeReplace
//   when type+name stay the same (region or dialect change): the new resource would
//   otherwise adopt the very service the old one deletes afterwards.
// - service.description, urls.* → update in place. v3: PATCH the service /
//   endpoint. v2.0 has no update call for either: the endpoint (all three URLs
//   live in one v2.0 endpoint object) is deleted and re-created; a description
//   change re-creates the service too (new serviceId, endpoint follows).
// - connection.host → replace (the rule of providers/ssh.ts: authUrl is resolved
//   from the SSH host, so another host may mean another Keystone), deleteBeforeReplace
//   like a region change.
// - authUrl, credentials, connection port/user/key → update (nothing changes in
//   Keystone; the new values are used from now on).
// Ownership: outputs record (`created`) which of service/endpoints this resource
// created; delete removes only those (an adopted entry stays) and tolerates their
// absence (404). A failed create rolls back what it created before failing.
// Refresh (`read`) reports the live description and URLs; a missing service = gone.
//
// Where it connects: over SSH to `connection` (the controller); every HTTP
// request goes through that SSH connection (forwardOut) to `authUrl` as seen
// from the controller, so the operator needs nothing but SSH.
// Dialects:
// - "v2.0" (Folsom): Keystone v2.0 admin API (`…:35357/v2.0`) with the admin
//   token from keystone.conf (`credentials: { token }`) in X-Auth-Token, or an
//   admin user's password. OS-KSADM services; one v2.0 endpoint carries
//   publicurl/internalurl/adminurl (endpointIds has its id three times).
// - "v3" (Zed): password login (`POST /v3/auth/tokens`, X-Subject-Token);
//   `/v3/services`, `/v3/endpoints` (one per interface), the region is created
//   when missing (`/v3/regions`) and left in place on delete.

import * as pulumi from "@pulumi/pulumi";
import { checkStart, checkTools, diffFields, SshProvider } from "./ssh";
import type { CheckOutcome, SshConnection, SshSession } from "./ssh";
import {
    acquireToken,
    apiDelete,
    apiGet,
    ApiCall,
    ApiContext,
    Credentials,
    DIALECTS,
    Dialect,
    getJson,
    listOf,
    only,
    pickOne,
    plain,
    runCalls,
    runPlanOnHost,
    splitUrl,
    urlProblem,
} from "./openstackAuth";
import { SshResource, type DynamicKind } from "./resource";

export type { Dialect, Credentials, TokenCredentials, PasswordCredentials } from "./openstackAuth";

export const INTERFACES = ["public", "internal", "admin"] as const;
export type Interface = (typeof INTERFACES)[number];

/** Catalog service, Input-typed. */
export interface KeystoneServiceArgs {
    /** Service name, e.g. "quantum" (Folsom) or "neutron" (Zed). Part of the identity. */
    readonly name: pulumi.Input<string>;
    /** Service type, e.g. "network". Part of the identity. */
    readonly type: pulumi.Input<string>;
    /** Free text; default "". Updated in place. */
    readonly description?: pulumi.Input<string>;
}

export interface KeystoneUrlsArgs {
    readonly public: pulumi.Input<string>;
    readonly internal: pulumi.Input<string>;
    readonly admin: pulumi.Input<string>;
}

export interface KeystoneEndpointArgs {
    /** SSH connection to the controller (HTTP to Keystone is tunnelled through it). */
    readonly connection: pulumi.Input<SshConnection>;
    /** "v2.0" (Folsom, admin token on :35357) or "v3" (Zed, password auth). */
    readonly dialect: pulumi.Input<Dialect>;
    /** Versioned Keystone URL as reachable from the SSH host: `http://192.168.122.111:35357/v2.0`, `http://198.51.100.11:5000/v3`. */
    readonly authUrl: pulumi.Input<string>;
    /** Secret. `{ token }` (v2.0 admin token) or `{ username, password, projectName, userDomainName?, projectDomainName? }`. */
    readonly credentials: pulumi.Input<Credentials>;
    /** Region of the endpoints, e.g. "RegionOne". Part of the identity. */
    readonly region: pulumi.Input<string>;
    readonly service: pulumi.Input<KeystoneServiceArgs>;
    /** Endpoint URLs; `$(tenant_id)s` / `%(tenant_id)s` templates are passed through verbatim. */
    readonly urls: pulumi.Input<KeystoneUrlsArgs>;
}

export interface KeystoneService {
    name: string;
    type: string;
    description: string;
}
export type KeystoneUrls = Record<Interface, string>;

/** Plain inputs, as the provider receives them after check. */
export interface KeystoneEndpointInputs {
    connection: SshConnection;
    dialect: Dialect;
    authUrl: string;
    credentials: Credentials;
    region: string;
    service: KeystoneService;
    urls: KeystoneUrls;
}

export interface KeystoneCreated {
    service: boolean;
    public: boolean;
    internal: boolean;
    admin: boolean;
}

/** Provider state: the inputs echoed (connection and credentials are secret outputs) plus the Keystone IDs. */
export interface KeystoneEndpointOutputs extends KeystoneEndpointInputs {
    serviceId: string;
    /** Endpoint ID per interface ("" when missing). v2.0: the same single endpoint ID three times. */
    endpointIds: KeystoneUrls;
    /** Which objects this resource created (and therefore deletes). */
    created: KeystoneCreated;
}

// ---------------------------------------------------------------------------
// check

/** Validates and defaults the inputs. Unknown values (preview) are accepted as they are. */
export function checkKeystoneEndpoint(news: Record<string, unknown>): CheckOutcome {
    const { inputs, failures } = checkStart(news);
    const { fail, known, str } = checkTools(failures);
    Object.assign(inputs, only(news, ["dialect", "authUrl", "credentials", "region", "service", "urls"]));

    const dialect = news.dialect;
    if (known(dialect) && !DIALECTS.includes(dialect as Dialect)) {
        fail("dialect", `must be one of ${DIALECTS.map((d) => `"${d}"`).join(", ")}, got ${JSON.stringify(dialect)}`);
    }
    const dialectOk = known(dialect) && DIALECTS.includes(dialect as Dialect);

    if (known(news.authUrl)) {
        const p = urlProblem(news.authUrl);
        if (p) {
            fail("authUrl", p);
        } else if (dialectOk) {
            const base = splitUrl(news.authUrl as string).basePath;
            const want = dialect === "v2.0" ? "/v2.0" : "/v3";
            if (!base.endsWith(want)) {
                fail(
                    "authUrl",
                    `for dialect "${dialect}" the path must end in ${want} (e.g. http://host:${dialect === "v2.0" ? "35357/v2.0" : "5000/v3"}), got "${news.authUrl}"`,
                );
            }
        }
    }

    const creds = news.credentials as Record<string, unknown> | undefined;
    if (known(creds)) {
        inputs.credentials = only(
            creds,
            typeof creds?.token === "string"
                ? ["token"]
                : ["username", "password", "projectName", "userDomainName", "projectDomainName"],
        );
        if (!creds || typeof creds !== "object") {
            fail("credentials", "required: { token } (v2.0) or { username, password, projectName }");
        } else if (typeof creds.token === "string") {
            if (creds.token === "") {
                fail("credentials.token", "must not be empty");
            }
            if (dialectOk && dialect === "v3") {
                fail(
                    "credentials",
                    "dialect v3 needs a password login ({ username, password, projectName }), not an admin token",
                );
            }
        } else {
            for (const k of ["username", "password", "projectName"]) {
                if (known(creds[k]) && !str(creds[k])) {
                    fail(`credentials.${k}`, "required (or give { token } for v2.0)");
                }
            }
        }
    }

    if (known(news.region)) {
        if (!str(news.region)) {
            fail("region", "required, e.g. RegionOne");
        } else if ((news.region as string).includes("/")) {
            fail("region", "must not contain '/'");
        }
    }

    const svc = news.service as Record<string, unknown> | undefined;
    if (known(svc)) {
        if (!svc || typeof svc !== "object") {
            fail("service", "required: { name, type, description? }");
        } else {
            for (const k of ["name", "type"]) {
                if (!known(svc[k])) {
                    continue;
                }
                if (!str(svc[k])) {
                    fail(`service.${k}`, "required");
                } else if ((svc[k] as string).includes("/")) {
                    fail(`service.${k}`, "must not contain '/'");
                }
            }
            if (svc.description !== undefined && known(svc.description) && typeof svc.description !== "string") {
                fail("service.description", "must be a string");
            }
            inputs.service = only({ ...svc, description: svc.description ?? "" }, ["name", "type", "description"]);
        }
    }

    const urls = news.urls as Record<string, unknown> | undefined;
    inputs.urls = only(urls, INTERFACES);
    if (known(urls)) {
        if (!urls || typeof urls !== "object") {
            fail("urls", "required: { public, internal, admin }");
        } else {
            for (const i of INTERFACES) {
                if (!known(urls[i])) {
                    continue;
                }
                const p = catalogUrlProblem(urls[i]);
                if (p) {
                    fail(`urls.${i}`, p);
                }
            }
        }
    }
    for (const k of Object.keys(inputs)) {
        if (inputs[k] === undefined) {
            delete inputs[k];
        }
    }
    return { inputs, failures };
}

/** A catalog URL: http(s) with a host; templates like `$(tenant_id)s` are fine. */
export function catalogUrlProblem(url: unknown): string | undefined {
    if (typeof url !== "string" || url === "") {
        return "must be a non-empty http(s) URL";
    }
    let u: URL;
    try {
        u = new URL(url);
    } catch {
        return `not a URL: "${url}"`;
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
        return `must be http:// or https://, got "${url}"`;
    }
    if (!u.hostname) {
        return `URL has no host: "${url}"`;
    }
    return undefined;
}

// ---------------------------------------------------------------------------
// diff

/** Fields that force a replacement (the natural key, and the API it lives in); connection.host too (providers/ssh.ts). */
export const KEYSTONE_REPLACE_FIELDS = ["dialect", "region", "service.name", "service.type"];
/** Fields updated in place (connection port/user/key too, providers/ssh.ts). */
export const KEYSTONE_UPDATE_FIELDS = [
    "service.description",
    "urls.public",
    "urls.internal",
    "urls.admin",
    "authUrl",
    "credentials",
];

export function diffKeystoneEndpoint(
    olds: Partial<KeystoneEndpointOutputs>,
    news: Record<string, unknown>,
): pulumi.dynamic.DiffResult {
    const { replaces, changed } = diffFields(olds, news, {
        replace: KEYSTONE_REPLACE_FIELDS,
        update: KEYSTONE_UPDATE_FIELDS,
    });
    // Something recorded as missing by a refresh must be re-created.
    const missing = !olds.serviceId || INTERFACES.some((i) => !olds.endpointIds?.[i]);
    const sameService = !changed.includes("service.name") && !changed.includes("service.type");
    return {
        changes: changed.length > 0 || missing,
        replaces,
        deleteBeforeReplace: replaces.length > 0 && sameService,
    };
}

// ---------------------------------------------------------------------------
// plans (pure): what Keystone holds → the calls that make it match

/** What one Keystone holds for this resource's natural key. */
export interface KeystoneObserved {
    service?: { id: string; name: string; type: string; description: string };
    /** Per interface; v2.0: the same endpoint object under all three. */
    endpoints: Partial<Record<Interface, { id: string; url: string }>>;
    /** v3: whether the region exists (v2.0 regions are free-form strings). */
    regionExists: boolean;
}

/** The GETs that observation makes, in order. */
export function planKeystoneObserve(
    inputs: Pick<KeystoneEndpointInputs, "dialect" | "authUrl" | "region" | "service">,
): ApiCall[] {
    const base = splitUrl(inputs.authUrl).basePath;
    if (inputs.dialect === "v2.0") {
        return [
            apiGet("identity", "list services", `${base}/OS-KSADM/services`),
            apiGet("identity", "list endpoints", `${base}/endpoints`),
        ];
    }
    const { type } = inputs.service;
    const region = encodeURIComponent(inputs.region);
    return [
        apiGet("identity", `list services of type ${type}`, `${base}/services?type=${encodeURIComponent(type)}`),
        apiGet("identity", `list endpoints in region ${inputs.region}`, `${base}/endpoints?region_id=${region}`),
        apiGet("identity", `show region ${inputs.region}`, `${base}/regions/${region}`, [404]),
    ];
}

/**
 * Interprets the observation responses (bodies of `planKeystoneObserve`'s calls, in
 * order; `undefined` for a 404). `prior` (the stored outputs) picks among duplicates.
 */
export function parseKeystoneObserved(
    inputs: Pick<KeystoneEndpointInputs, "dialect" | "region" | "service">,
    bodies: unknown[],
    prior?: Pick<KeystoneEndpointOutputs, "serviceId" | "endpointIds">,
): KeystoneObserved {
    const { dialect, region, service } = inputs;
    type Svc = { id: string; name: string; type: string; description?: string };
    const services = listOf(bodies[0], dialect === "v2.0" ? "OS-KSADM:services" : "services") as unknown as Svc[];
    const svc = pickOne(
        services.filter((s) => s.type === service.type && s.name === service.name),
        prior?.serviceId,
        `services of type ${service.type} named ${service.name}`,
    );
    const observed: KeystoneObserved = {
        service: svc ? { id: svc.id, name: svc.name, type: svc.type, description: svc.description ?? "" } : undefined,
        endpoints: {},
        regionExists: dialect === "v2.0" ? true : bodies[2] !== undefined,
    };
    if (!svc) {
        return observed;
    }
    const endpoints = listOf(bodies[1], "endpoints");
    if (dialect === "v2.0") {
        const mine = endpoints.filter((e) => e.service_id === svc.id && e.region === region) as unknown as {
            id: string;
            publicurl: string;
            internalurl: string;
            adminurl: string;
        }[];
        const e = pickOne(mine, prior?.endpointIds?.public, `v2.0 endpoints of service ${svc.id} in region ${region}`);
        if (e) {
            observed.endpoints = {
                public: { id: e.id, url: e.publicurl },
                internal: { id: e.id, url: e.internalurl },
                admin: { id: e.id, url: e.adminurl },
            };
        }
        return observed;
    }
    for (const i of INTERFACES) {
        const mine = endpoints.filter(
            (e) => e.service_id === svc.id && e.interface === i && (e.region_id ?? e.region) === region,
        ) as unknown as { id: string; url: string }[];
        const e = pickOne(mine, prior?.endpointIds?.[i], `${i} endpoints of service ${svc.id} in region ${region}`);
        if (e) {
            observed.endpoints[i] = { id: e.id, url: e.url };
        }
    }
    return observed;
}

/** A sync plan: the calls, and how to read the resulting IDs from the runner's variables. */
export interface KeystonePlan {
    calls: ApiCall[];
    /** Variables known before any call runs (IDs of kept objects). */
    vars: Record<string, string>;
    /** Which objects the plan creates. */
    creates: KeystoneCreated;
}

/**
 * The calls that make Keystone hold `inputs` given what it holds now. Variables:
 * `serviceId`, `endpoint_public|internal|admin` (v3) or `endpoint` (v2.0).
 */
export function planKeystoneSync(inputs: KeystoneEndpointInputs, obs: KeystoneObserved): KeystonePlan {
    const base = splitUrl(inputs.authUrl).basePath;
    const { service, region, urls } = inputs;
    const key = `${service.type}/${service.name}`;
    const calls: ApiCall[] = [];
    const vars: Record<string, string> = {};
    const creates: KeystoneCreated = { service: false, public: false, internal: false, admin: false };

    if (inputs.dialect === "v2.0") {
        let svcId = obs.service?.id;
        let endpoint = obs.endpoints.public?.id;
        const deleteEndpoint = (id: string): ApiCall => ({
            step: `delete v2.0 endpoint of ${key} in ${region}`,
            api: "identity",
            method: "DELETE",
            path: `${base}/endpoints/${id}`,
            ok: [200, 204],
            tolerate: [404],
        });
        if (obs.service && obs.service.description !== service.description) {
            // No service update in v2.0: re-create it (its endpoint first).
            if (endpoint) {
                calls.push(deleteEndpoint(endpoint));
                endpoint = undefined;
            }
            calls.push({
                step: `delete service ${key} (to change its description)`,
                api: "identity",
                method: "DELETE",
                path: `${base}/OS-KSADM/services/${obs.service.id}`,
                ok: [200, 204],
                tolerate: [404],
            });
            svcId = undefined;
        }
        if (!svcId) {
            calls.push({
                step: `create service ${key}`,
                api: "identity",
                method: "POST",
                path: `${base}/OS-KSADM/services`,
                body: {
                    "OS-KSADM:service": { name: service.name, type: service.type, description: service.description },
                },
                ok: [200, 201],
                save: { serviceId: "OS-KSADM:service.id" },
            });
            creates.service = true;
        } else {
            vars.serviceId = svcId;
        }
        if (endpoint && INTERFACES.some((i) => obs.endpoints[i]?.url !== urls[i])) {
            calls.push(deleteEndpoint(endpoint)); // v2.0 has no endpoint update
            endpoint = undefined;
        }
        if (!endpoint) {
            calls.push({
                step: `create v2.0 endpoint of ${key} in ${region}`,
                api: "identity",
                method: "POST",
                path: `${base}/endpoints`,
                body: {
                    endpoint: {
                        region,
                        service_id: "{{serviceId}}",
                        publicurl: urls.public,
                        internalurl: urls.internal,
                        adminurl: urls.admin,
                    },
                },
                ok: [200, 201],
                save: { endpoint: "endpoint.id" },
            });
            creates.public = creates.internal = creates.admin = true;
        } else {
            vars.endpoint = endpoint;
        }
        return { calls, vars, creates };
    }

    if (!obs.service) {
        calls.push({
            step: `create service ${key}`,
            api: "identity",
            method: "POST",
            path: `${base}/services`,
            body: {
                service: { name: service.name, type: service.type, description: service.description, enabled: true },
            },
            ok: [201],
            save: { serviceId: "service.id" },
        });
        creates.service = true;
    } else {
        vars.serviceId = obs.service.id;
        if (obs.service.description !== service.description) {
            calls.push({
                step: `update description of service ${key}`,
                api: "identity",
                method: "PATCH",
                path: `${base}/services/${obs.service.id}`,
                body: { service: { description: service.description } },
                ok: [200],
            });
        }
    }
    const missing = INTERFACES.filter((i) => !obs.endpoints[i]);
    if (missing.length > 0 && !obs.regionExists) {
        calls.push({
            step: `create region ${region}`,
            api: "identity",
            method: "POST",
            path: `${base}/regions`,
            body: { region: { id: region } },
            ok: [201],
            tolerate: [409],
        });
    }
    for (const i of INTERFACES) {
        const e = obs.endpoints[i];
        if (!e) {
            calls.push({
                step: `create ${i} endpoint of ${key} in ${region}`,
                api: "identity",
                method: "POST",
                path: `${base}/endpoints`,
                body: {
                    endpoint: {
                        service_id: "{{serviceId}}",
                        interface: i,
                        region_id: region,
                        url: urls[i],
                        enabled: true,
                    },
                },
                ok: [201],
                save: { [`endpoint_${i}`]: "endpoint.id" },
            });
            creates[i] = true;
        } else {
            vars[`endpoint_${i}`] = e.id;
            if (e.url !== urls[i]) {
                calls.push({
                    step: `update ${i} URL of ${key} in ${region}`,
                    api: "identity",
                    method: "PATCH",
                    path: `${base}/endpoints/${e.id}`,
                    body: { endpoint: { url: urls[i] } },
                    ok: [200],
                });
            }
        }
    }
    return { calls, vars, creates };
}

/** Endpoint IDs from the runner's variables. */
export function endpointIdsFrom(dialect: Dialect, vars: Record<string, string>): KeystoneUrls {
    if (dialect === "v2.0") {
        return { public: vars.endpoint ?? "", internal: vars.endpoint ?? "", admin: vars.endpoint ?? "" };
    }
    return {
        public: vars.endpoint_public ?? "",
        internal: vars.endpoint_internal ?? "",
        admin: vars.endpoint_admin ?? "",
    };
}

/** Ownership after a sync: objects created now are ours; kept objects keep their recorded flag. */
export function createdAfter(
    plan: KeystonePlan,
    serviceId: string,
    endpointIds: KeystoneUrls,
    prior?: Pick<KeystoneEndpointOutputs, "serviceId" | "endpointIds" | "created">,
): KeystoneCreated {
    const kept = (what: keyof KeystoneCreated, id: string, priorId: string | undefined) =>
        plan.creates[what] || (!!prior && priorId === id && id !== "" && !!prior.created?.[what]);
    return {
        service: kept("service", serviceId, prior?.serviceId),
        public: kept("public", endpointIds.public, prior?.endpointIds?.public),
        internal: kept("internal", endpointIds.internal, prior?.endpointIds?.internal),
        admin: kept("admin", endpointIds.admin, prior?.endpointIds?.admin),
    };
}

/**
 * The calls that remove what this resource created (404 tolerated): endpoints first,
 * then the service. Nothing for adopted objects.
 */
export function planKeystoneDelete(
    outs: Pick<
        KeystoneEndpointOutputs,
        "dialect" | "authUrl" | "region" | "service" | "serviceId" | "endpointIds" | "created"
    >,
): ApiCall[] {
    const base = splitUrl(outs.authUrl).basePath;
    const key = `${outs.service.type}/${outs.service.name}`;
    const calls: ApiCall[] = [];
    const created = outs.created ?? { service: false, public: false, internal: false, admin: false };
    if (outs.dialect === "v2.0") {
        const id = outs.endpointIds?.public;
        if (id && created.public) {
            const step = `delete v2.0 endpoint of ${key} in ${outs.region}`;
            calls.push(apiDelete("identity", step, `${base}/endpoints/${id}`, [200, 204]));
        }
        if (outs.serviceId && created.service) {
            const path = `${base}/OS-KSADM/services/${outs.serviceId}`;
            calls.push(apiDelete("identity", `delete service ${key}`, path, [200, 204]));
        }
        return calls;
    }
    for (const i of INTERFACES) {
        const id = outs.endpointIds?.[i];
        if (id && created[i]) {
            const step = `delete ${i} endpoint of ${key} in ${outs.region}`;
            calls.push(apiDelete("identity", step, `${base}/endpoints/${id}`));
        }
    }
    if (outs.serviceId && created.service) {
        calls.push(apiDelete("identity", `delete service ${key}`, `${base}/services/${outs.serviceId}`));
    }
    return calls;
}

/** The undo of a failed create: delete what this attempt created, newest first. */
export function planKeystoneRollback(
    inputs: KeystoneEndpointInputs,
    creates: KeystoneCreated,
    vars: Record<string, string>,
): ApiCall[] {
    const serviceId = creates.service ? (vars.serviceId ?? "") : "";
    const endpointIds = endpointIdsFrom(inputs.dialect, vars);
    const created: KeystoneCreated = {
        service: creates.service && !!vars.serviceId,
        public: creates.public && !!endpointIds.public,
        internal: creates.internal && !!endpointIds.internal,
        admin: creates.admin && !!endpointIds.admin,
    };
    return planKeystoneDelete({ ...inputs, serviceId, endpointIds, created });
}

export function keystoneEndpointId(inputs: Pick<KeystoneEndpointInputs, "service" | "region">): string {
    return `${inputs.service.type}/${inputs.service.name}/${inputs.region}`;
}

// ---------------------------------------------------------------------------
// I/O helpers (run inside withSsh; captured by value with the provider)

/** Logs in (or takes the admin token) and returns the API context for Keystone. */
async function keystoneSession(s: SshSession, inputs: KeystoneEndpointInputs): Promise<ApiContext> {
    const { token } = await acquireToken(s, inputs.dialect, inputs.authUrl, inputs.credentials);
    return { session: s, targets: { identity: splitUrl(inputs.authUrl) }, token };
}

async function observeKeystone(
    ctx: ApiContext,
    inputs: KeystoneEndpointInputs,
    prior?: Pick<KeystoneEndpointOutputs, "serviceId" | "endpointIds">,
): Promise<KeystoneObserved> {
    const bodies: unknown[] = [];
    for (const call of planKeystoneObserve(inputs)) {
        bodies.push(await getJson(ctx, call.api, call.path, call.step));
    }
    try {
        return parseKeystoneObserved(inputs, bodies, prior);
    } catch (e) {
        return ctx.session.fail("find the catalog entry", (e as Error).message);
    }
}

/** Find-or-create / reconcile; returns the new outputs. Rolls back this attempt's creations on failure when `rollback`. */
async function syncKeystone(
    s: SshSession,
    inputs: KeystoneEndpointInputs,
    prior: KeystoneEndpointOutputs | undefined,
    rollback: boolean,
): Promise<KeystoneEndpointOutputs> {
    const ctx = await keystoneSession(s, inputs);
    const obs = await observeKeystone(ctx, inputs, prior);
    const plan = planKeystoneSync(inputs, obs);
    const vars: Record<string, string> = { ...plan.vars };
    try {
        await runCallsTracking(ctx, plan.calls, vars);
    } catch (e) {
        if (rollback) {
            try {
                await runCalls(ctx, planKeystoneRollback(inputs, plan.creates, vars), vars);
            } catch {
                /* the original error matters */
            }
        }
        throw e;
    }
    const endpointIds = endpointIdsFrom(inputs.dialect, vars);
    return plain({
        ...inputs,
        serviceId: vars.serviceId,
        endpointIds,
        created: createdAfter(plan, vars.serviceId, endpointIds, prior),
    });
}

/** runCalls, but the variables saved before a failure stay visible in `into` (for the rollback). */
async function runCallsTracking(ctx: ApiContext, calls: ApiCall[], into: Record<string, string>): Promise<void> {
    for (const call of calls) {
        Object.assign(into, await runCalls(ctx, [call], into));
    }
}

/** The inputs out of inputs or stored outputs (IDs dropped, description defaulted). */
export function toInputs(p: KeystoneEndpointInputs): KeystoneEndpointInputs {
    return {
        connection: p.connection,
        dialect: p.dialect,
        authUrl: p.authUrl,
        credentials: p.credentials,
        region: p.region,
        service: { ...p.service, description: p.service.description ?? "" },
        urls: p.urls,
    };
}

// ---------------------------------------------------------------------------
// provider

/** The provider: the pure functions above and the four operations over SSH (providers/ssh.ts). */
export const KEYSTONE_ENDPOINT_PROVIDER = new SshProvider<KeystoneEndpointInputs, KeystoneEndpointOutputs>({
    check: checkKeystoneEndpoint,
    diff: diffKeystoneEndpoint,
    describe: (p) => `KeystoneEndpoint ${keystoneEndpointId(p)}`,

    /** Find-or-create; a failure undoes what this attempt created. */
    create: async (ssh, news) => {
        const inputs = toInputs(news);
        const outs = await ssh((s) => syncKeystone(s, inputs, undefined, true));
        return { id: keystoneEndpointId(inputs), outs };
    },

    /** Refresh: the live description, URLs and IDs; no id when the service is gone. */
    read: async (ssh, id, props) => {
        const inputs = toInputs(props);
        const obs = await ssh(async (s) => observeKeystone(await keystoneSession(s, inputs), inputs, props));
        if (!obs.service) {
            return {};
        }
        const endpointIds = {
            public: obs.endpoints.public?.id ?? "",
            internal: obs.endpoints.internal?.id ?? "",
            admin: obs.endpoints.admin?.id ?? "",
        };
        const urls = {
            public: obs.endpoints.public?.url ?? "",
            internal: obs.endpoints.internal?.url ?? "",
            admin: obs.endpoints.admin?.url ?? "",
        };
        const owned = (what: keyof KeystoneCreated, now: string, was: string | undefined) =>
            now !== "" && now === was && !!props.created?.[what];
        const outs: KeystoneEndpointOutputs = {
            ...inputs,
            service: { ...inputs.service, description: obs.service.description },
            urls,
            serviceId: obs.service.id,
            endpointIds,
            created: {
                service: owned("service", obs.service.id, props.serviceId),
                public: owned("public", endpointIds.public, props.endpointIds?.public),
                internal: owned("internal", endpointIds.internal, props.endpointIds?.internal),
                admin: owned("admin", endpointIds.admin, props.endpointIds?.admin),
            },
        };
        return { id, props: plain(outs) };
    },

    /** Reconcile to the new inputs (PATCH in v3, delete + create in v2.0). */
    update: async (ssh, _id, olds, news) => {
        const inputs = toInputs(news);
        return { outs: await ssh((s) => syncKeystone(s, inputs, olds, false)) };
    },

    /** Remove what this resource created (404s are fine); an adopted entry needs no connection. */
    delete: async (ssh, _id, props) =>
        runPlanOnHost(ssh, planKeystoneDelete(props), (s) => keystoneSession(s, toInputs(props))),
});

/** `pulumi-nodejs:dynamic/identity:KeystoneEndpoint`, with its one provider instance (providers/resource.ts). */
const KEYSTONE_ENDPOINT: DynamicKind = {
    provider: KEYSTONE_ENDPOINT_PROVIDER,
    module: "identity",
    type: "KeystoneEndpoint",
    secretOutputs: ["credentials"],
};

/**
 * A Keystone catalog service with its three endpoints in one region (Listing 2).
 * Registers as `pulumi-nodejs:dynamic/identity:KeystoneEndpoint`.
 */
export class KeystoneEndpoint extends SshResource {
    declare readonly serviceId: pulumi.Output<string>;
    declare readonly endpointIds: pulumi.Output<KeystoneUrls>;
    declare readonly created: pulumi.Output<KeystoneCreated>;
    declare readonly dialect: pulumi.Output<Dialect>;
    declare readonly authUrl: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;
    declare readonly service: pulumi.Output<KeystoneService>;
    declare readonly urls: pulumi.Output<KeystoneUrls>;

    constructor(name: string, args: KeystoneEndpointArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            KEYSTONE_ENDPOINT,
            name,
            { serviceId: undefined, endpointIds: undefined, created: undefined, ...args },
            opts,
        );
    }
}
