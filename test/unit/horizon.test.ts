// Horizon under mocks, both releases: the exact children (on the controller), the golden
// settings block, restart on change, the login-page check (golden; it needs a web server,
// so it is not run here), the URL output and a preview pass.
import { expect } from "chai";
import { buildBase, buildIdentity } from "../../components/cloud";
import { preamble } from "../../components/shared/script";
import { RawConfig } from "../../config";
import { devConfig, find, golden, Registered, RELEASE_CONFIGS, run, unwrap } from "./harness";

const CMD = "command:remote:Command";

function body(text: string): string {
    expect(text.startsWith(preamble())).to.equal(true);
    return text.slice(preamble().length);
}

function children(resources: readonly Registered[]): string[] {
    return resources
        .filter((r) => r.name.startsWith("horizon-"))
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

function build(change: (c: RawConfig) => RawConfig = (c) => c) {
    return () => {
        const { horizon } = buildIdentity(buildBase(devConfig(change)));
        return { horizonUrl: horizon.url };
    };
}

/** The dashboard's install step on both releases (only the package differs). */
function installScript(dashboard: string): string {
    return (
        `oslab_install ${dashboard} memcached\n` +
        "# Debian's openstack-dashboard-apache enables Apache's default-ssl site (alias mode) but\n" +
        "# not mod_ssl, and the site's snakeoil certificate only exists when ssl-cert ran (a\n" +
        "# Recommends). Either way Apache refuses to start, so the HTTP-only dashboard turns that\n" +
        "# site off then.\n" +
        "if [ -e /etc/apache2/sites-enabled/default-ssl.conf ] && { [ ! -e /etc/apache2/mods-enabled/ssl.load ] || [ ! -s /etc/ssl/certs/ssl-cert-snakeoil.pem ]; }; then\n" +
        "  a2dissite -q default-ssl\n" +
        "fi\n" +
        "oslab_svc start memcached || oslab_svc restart memcached\n"
    );
}

const BY_RELEASE = {
    folsom: {
        file: "/etc/openstack-dashboard/local_settings.py",
        golden: "horizon-local_settings.py",
        install: installScript("openstack-dashboard"),
        purge: "oslab_purge openstack-dashboard memcached\n",
        block: [
            "OPENSTACK_HOST = '192.168.122.111'",
            "QUANTUM_ENABLED = True",
            "SWIFT_ENABLED = True",
            "# local_settings.py computed this from the packaged OPENSTACK_HOST before this block",
            'OPENSTACK_KEYSTONE_URL = "http://%s:5000/v2.0" % OPENSTACK_HOST',
            "",
        ].join("\n"),
    },
    zed: {
        file: "/etc/openstack-dashboard/local_settings.d/_90_openstack_lab.py",
        golden: "horizon-_90_openstack_lab.py",
        install: installScript("openstack-dashboard-apache"),
        purge: "oslab_purge openstack-dashboard-apache memcached\n",
        block: [
            'OPENSTACK_HOST = "192.168.122.111"',
            'ALLOWED_HOSTS = ["192.168.122.111", "alice", "localhost", "127.0.0.1"]',
            'OPENSTACK_KEYSTONE_URL = "http://%s:5000/v3" % OPENSTACK_HOST',
            'OPENSTACK_KEYSTONE_DEFAULT_DOMAIN = "Default"',
            'OPENSTACK_KEYSTONE_DEFAULT_ROLE = "member"',
            'SESSION_ENGINE = "django.contrib.sessions.backends.cache"',
            "CACHES = {",
            '    "default": {',
            '        "BACKEND": "django.core.cache.backends.memcached.MemcachedCache",',
            '        "LOCATION": "127.0.0.1:11211",',
            "    },",
            "}",
            'TIME_ZONE = "UTC"',
            "",
        ].join("\n"),
    },
};
/** Epoxy: zed's dashboard with Django 4.2's cache backend and Horizon in the main interpreter. */
const EXPECTED: Record<string, (typeof BY_RELEASE)["zed"] & { webConf?: string }> = {
    ...BY_RELEASE,
    epoxy: {
        ...BY_RELEASE.zed,
        block: BY_RELEASE.zed.block.replace("memcached.MemcachedCache", "memcached.PyMemcacheCache"),
        webConf:
            "# openstack-lab: Horizon in the main Python interpreter (cryptography's PyO3 module)\nWSGIApplicationGroup %{GLOBAL}\n",
    },
};

for (const [release, change] of RELEASE_CONFIGS) {
    describe(`horizon (${release})`, function () {
        this.timeout(120000);
        let resources: Registered[];
        let outputs: Record<string, unknown>;
        before(async () => {
            ({ resources, outputs } = await run(build(change)));
        });
        const want = EXPECTED[release];

        it("registers exactly these children, every one on the controller", () => {
            expect(children(resources)).to.deep.equal([
                `${CMD} horizon-conf-local-settings`,
                ...(want.webConf ? [`${CMD} horizon-conf-web-server`] : []),
                `${CMD} horizon-install`,
                `${CMD} horizon-restart`,
                `${CMD} horizon-verify`,
            ]);
            for (const r of resources.filter((x) => x.name.startsWith("horizon-"))) {
                expect(unwrap(r.inputs).connection.host, r.name).to.equal("192.168.122.111");
            }
        });

        it("installs the dashboard and starts memcached; purges both on destroy", () => {
            expect(body(unwrap(find(resources, "horizon-install").inputs).create)).to.equal(want.install);
            expect(body(unwrap(find(resources, "horizon-install").inputs).delete)).to.equal(want.purge);
        });

        it("adds the settings as a managed block, the golden copy", () => {
            const conf = unwrap(find(resources, "horizon-conf-local-settings").inputs);
            expect(JSON.parse(conf.stdin)).to.deep.equal({ block: want.block, comment: "#", mode: "0644" });
            expect(conf.create).to.include(`"$py" - block ${want.file} 3<&0`);
            expect(conf.delete).to.include(`"$py" - restore ${want.file} 3</dev/null <<'OSLAB_EDIT_PY'`);
            golden(release, "alice", want.golden, want.block);
        });

        it("restarts Apache when the block changes, then checks the login page", () => {
            const restart = unwrap(find(resources, "horizon-restart").inputs);
            expect(body(restart.create)).to.equal("oslab_svc restart apache2\n");
            expect(restart.triggers).to.have.length(want.webConf ? 2 : 1);
            if (want.webConf) {
                const web = unwrap(find(resources, "horizon-conf-web-server").inputs);
                expect(JSON.parse(web.stdin)).to.deep.equal({
                    content: want.webConf,
                    mode: "0644",
                });
                expect(web.create).to.include(
                    `"$py" - replace /etc/apache2/conf-enabled/openstack-lab-horizon.conf 3<&0`,
                );
            }
            const verify = unwrap(find(resources, "horizon-verify").inputs);
            expect(verify.triggers).to.deep.equal(restart.triggers);
            golden(release, "alice", "horizon-verify.sh", body(verify.create));
        });

        it("exports the dashboard URL", () => {
            expect(outputs.horizonUrl).to.equal("http://192.168.122.111/horizon");
        });

        it("preview registers the same resources", async () => {
            const preview = await run(build(change), { preview: true });
            expect(children(preview.resources)).to.deep.equal(children(resources));
        });
    });
}
