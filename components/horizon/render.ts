// Pure renderers for Horizon (the article's "The OpenStack Dashboard"): the settings
// the program adds to the dashboard's Python settings, and the on-host scripts.
import { shq } from "../shared/script";
import { installScript as installPackages } from "../shared/packages";

export interface HorizonValues {
    /** The controller's management address (OPENSTACK_HOST). */
    readonly host: string;
    /** The controller's host name (an allowed Host header besides the address). */
    readonly hostName: string;
    /** Keystone's public port. */
    readonly keystonePort: number;
    /** Django's memcached cache backend class (the profile's `cacheBackend`). */
    readonly cacheBackend?: string;
}

/** Django ≤ 4.0 (Debian 12's 3.2): python-memcached; Django 4.1 removed it. */
export const MEMCACHED_CACHE = "django.core.cache.backends.memcached.MemcachedCache";
/** Django ≥ 3.2's pymemcache backend (Debian 13's Django 4.2 with python3-pymemcache). */
export const PYMEMCACHE_CACHE = "django.core.cache.backends.memcached.PyMemcacheCache";

/**
 * Apache conf snippet: run Horizon in mod_wsgi's main interpreter. Debian 13's dashboard site
 * sets WSGIDaemonProcess but no application group, so Horizon ran in a sub-interpreter and
 * every request failed importing cryptography's Rust module ("PyO3 modules … may only be
 * initialized once per interpreter process"); https://modwsgi.readthedocs.io/en/master/configuration-directives/WSGIApplicationGroup.html
 */
export function wsgiGlobalGroupConf(): string {
    return "# openstack-lab: Horizon in the main Python interpreter (cryptography's PyO3 module)\nWSGIApplicationGroup %{GLOBAL}\n";
}

/** A Python string literal (JSON's escapes are valid Python for these values). */
function py(s: string): string {
    return JSON.stringify(s);
}

/**
 * Folsom (docs/sources.md#folsom): the article's three lines, appended at the end of
 * local_settings.py. QUANTUM_ENABLED and SWIFT_ENABLED do nothing in Folsom's Horizon
 * (docs/sources.md#folsom-pitfalls 8) but are the article's. The packaged file derives OPENSTACK_KEYSTONE_URL from
 * OPENSTACK_HOST *above* this block, so it is derived again here, or Horizon would keep
 * talking to 127.0.0.1.
 */
export function localSettingsEdit(v: HorizonValues): string {
    return (
        [
            `OPENSTACK_HOST = '${v.host}'`,
            "QUANTUM_ENABLED = True",
            "SWIFT_ENABLED = True",
            "# local_settings.py computed this from the packaged OPENSTACK_HOST before this block",
            `OPENSTACK_KEYSTONE_URL = "http://%s:${v.keystonePort}/v2.0" % OPENSTACK_HOST`,
        ].join("\n") + "\n"
    );
}

/**
 * Zed (docs/sources.md#zed), as a snippet in local_settings.d: Debian's own snippets there
 * (_0006_debian_cache.py sets a per-process LocMemCache) are read after
 * local_settings.py and would override the cache settings. Sessions live in memcached
 * on the controller so every Apache process sees them.
 */
export function localSettingsDropIn(v: HorizonValues): string {
    return (
        [
            `OPENSTACK_HOST = ${py(v.host)}`,
            `ALLOWED_HOSTS = [${[v.host, v.hostName, "localhost", "127.0.0.1"].map(py).join(", ")}]`,
            `OPENSTACK_KEYSTONE_URL = "http://%s:${v.keystonePort}/v3" % OPENSTACK_HOST`,
            `OPENSTACK_KEYSTONE_DEFAULT_DOMAIN = "Default"`,
            `OPENSTACK_KEYSTONE_DEFAULT_ROLE = "member"`,
            `SESSION_ENGINE = "django.contrib.sessions.backends.cache"`,
            "CACHES = {",
            `    "default": {`,
            `        "BACKEND": ${py(v.cacheBackend ?? MEMCACHED_CACHE)},`,
            `        "LOCATION": "127.0.0.1:11211",`,
            "    },",
            "}",
            `TIME_ZONE = "UTC"`,
        ].join("\n") + "\n"
    );
}

/** Install the dashboard and start memcached (Horizon's cache on both releases). */
export function installScript(packages: readonly string[], cache: string): string {
    return `${installPackages(packages)}
# Debian's openstack-dashboard-apache enables Apache's default-ssl site (alias mode) but
# not mod_ssl, and the site's snakeoil certificate only exists when ssl-cert ran (a
# Recommends). Either way Apache refuses to start, so the HTTP-only dashboard turns that
# site off then.
if [ -e /etc/apache2/sites-enabled/default-ssl.conf ] && { [ ! -e /etc/apache2/mods-enabled/ssl.load ] || [ ! -s /etc/ssl/certs/ssl-cert-snakeoil.pem ]; }; then
  a2dissite -q default-ssl
fi
oslab_svc start ${shq(cache)} || oslab_svc restart ${shq(cache)}`;
}

/** The article's check: the login page answers (HTTP 200) at the dashboard URL. */
export function verifyScript(host: string, path: string): string {
    return `status() {
  local line=''
  exec 3<>"/dev/tcp/$1/80" || return 1
  printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' "$2" "$1" >&3
  IFS= read -r line <&3 || true
  exec 3<&- 3>&-
  line=\${line%$'\\r'}
  line=\${line#* }
  echo "\${line%% *}"
}
code=''
for _ in $(seq 60); do
  code=$(status ${host} ${shq(path)} 2>/dev/null || true)
  [ "$code" = 200 ] && break
  sleep 2
done
[ "$code" = 200 ] || { echo "http://${host}${path} answers HTTP \${code:-nothing}, not 200" >&2; exit 1; }
echo "http://${host}${path}: HTTP 200"`;
}
