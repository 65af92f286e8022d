// Config fragments every OpenStack service writes the same way (oslo.config options of
// keystonemiddleware, keystoneauth and oslo.messaging), shared by the service renderers
// so that no service imports another's. Plain values in, IniSection / string out.
import { IniSection } from "./ini";

/**
 * Keystone password login of a service user (keystoneauth's `password` plugin, domain
 * Default, project `service`): [service_user], [placement], [neutron] and the base of
 * [keystone_authtoken]. See keystoneauth1/loading/identity.py (Password options).
 */
export function keystonePasswordAuth(
    ctl: string,
    user: string,
    password: string,
    opts: { authPath?: string; region?: string } = {},
): IniSection {
    return {
        auth_url: `http://${ctl}:5000${opts.authPath ?? ""}`,
        auth_type: "password",
        project_domain_name: "Default",
        user_domain_name: "Default",
        project_name: "service",
        username: user,
        password,
        region_name: opts.region,
    };
}

/**
 * [keystone_authtoken] of an API service (keystonemiddleware's auth_token). region_name
 * is always written: Debian's packaged files say `regionOne`, which matches no endpoint
 * of a `RegionOne` catalog and turns every API call into HTTP 500 (docs/sources.md#lab-findings).
 * No memcached_servers: nothing in this cloud runs memcached for the APIs, so tokens are
 * cached in-process.
 */
export function keystoneAuthtoken(ctl: string, region: string, user: string, password: string): IniSection {
    return {
        www_authenticate_uri: `http://${ctl}:5000`,
        ...keystonePasswordAuth(ctl, user, password, { region }),
    };
}

/**
 * The old-style [filter:authtoken] of an api-paste.ini (Keystone's admin API on 35357,
 * the article's Folsom services): keystone/middleware/auth_token.py at tag 2012.2.
 */
export function pasteAuthtoken(ctl: string, user: string, password: string, extra: IniSection = {}): IniSection {
    return {
        auth_host: ctl,
        auth_port: 35357,
        auth_protocol: "http",
        admin_tenant_name: "service",
        admin_user: user,
        admin_password: password,
        ...extra,
    };
}

/** transport_url for oslo.messaging over RabbitMQ (port 5672); user and password percent-encoded. */
export function rabbitTransportUrl(user: string, password: string, host: string): string {
    return `rabbit://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:5672/`;
}
