// npm run verify: tempest.conf from the stack outputs (exact text), the errors that name a
// missing output, the arguments, and the verdict on on-host.sh's output (known failures).
import { expect } from "chai";
import { factsFrom, judge, parseArgs, VerifyOutputs } from "../../scripts/verify/cli";
import { classifyFailures, KNOWN_FAILURES } from "../../scripts/verify/known-failures";
import { tempestConf } from "../../scripts/verify/tempest-conf";

const OUTPUTS: VerifyOutputs = {
    release: "epoxy",
    controller: "198.51.100.11",
    region: "RegionOne",
    keystoneUrl: "http://198.51.100.11:5000/v3",
    horizonUrl: "http://198.51.100.11/horizon",
    imageId: "img-1",
    externalNetworkId: "net-ext",
    flavors: { "m1.nano": "f0", "m1.tiny": "f1", "m1.small": "f2" },
    computes: ["bob"],
    services: ["identity", "image", "compute", "network", "placement", "volumev3"],
    volumeService: false,
};

describe("verify: tempest.conf from the stack outputs", () => {
    it("states the cloud's services, image, flavors and public network; no IPv6, validation SSH as root with a key pair", () => {
        expect(tempestConf(factsFrom(OUTPUTS))).to.equal(`[DEFAULT]
log_file = tempest.log

[auth]
admin_username = admin
admin_project_name = admin
admin_domain_name = Default
use_dynamic_credentials = true
create_isolated_networks = true

[identity]
uri_v3 = http://198.51.100.11:5000/v3
auth_version = v3
region = RegionOne
v3_endpoint_type = publicURL

[identity-feature-enabled]
api_v2 = false

[compute]
image_ref = img-1
image_ref_alt = img-1
flavor_ref = f1
flavor_ref_alt = f2
min_compute_nodes = 1
build_timeout = 300

[compute-feature-enabled]
live_migration = false
resize = false
cold_migration = false
vnc_console = true
config_drive = true
console_output = true
attach_encrypted_volume = false

[image]
build_timeout = 300

[image-feature-enabled]
api_v1 = false
api_v2 = true

[network]
public_network_id = net-ext
floating_network_name = ext_net
project_network_cidr = 10.100.0.0/16
project_networks_reachable = false
build_timeout = 300

[network-feature-enabled]
ipv6 = false
ipv6_subnet_attributes = false
api_extensions = @EXTENSIONS@

[validation]
run_validation = true
connect_method = floating
auth_method = keypair
ip_version_for_ssh = 4
image_ssh_user = root
ssh_timeout = 300
ping_timeout = 120

[volume]
build_timeout = 300

[volume-feature-enabled]
backup = false

[dashboard]
dashboard_url = http://198.51.100.11/horizon
login_url = http://198.51.100.11/horizon/auth/login/

[service_available]
nova = true
glance = true
neutron = true
cinder = false
swift = false
horizon = true
placement = true
`);
    });

    it("takes m1.nano when there is no m1.tiny and m1.small, and counts the computes", () => {
        const f = factsFrom({ ...OUTPUTS, flavors: { "m1.nano": "f0" }, computes: ["bob", "bob2"] });
        expect([f.flavorRef, f.flavorRefAlt, f.computes]).to.deep.equal(["f0", "f0", 2]);
    });

    it("names a missing or secret output", () => {
        expect(() => factsFrom({ ...OUTPUTS, imageId: undefined })).to.throw(
            "stack output imageId is missing: run pulumi up first (or pass --outputs FILE)",
        );
        expect(() => factsFrom({ ...OUTPUTS, keystoneUrl: "[secret]" })).to.throw(
            "stack output keystoneUrl is missing",
        );
        expect(() => factsFrom({ ...OUTPUTS, flavors: {} })).to.throw(
            "stack output flavors is empty: give the stack at least one flavor (config key flavors)",
        );
    });
});

describe("verify: arguments", () => {
    it("defaults to --smoke at concurrency 2 without a client address", () => {
        expect(parseArgs([])).to.deep.equal({
            outputs: "",
            key: "",
            user: "root",
            concurrency: "2",
            clientAddress: "",
            clientInterface: "",
            selection: ["--smoke"],
        });
    });

    it("takes a client address with its interface, and a regex", () => {
        const a = parseArgs([
            "--client-address",
            "198.51.100.141/26",
            "--client-interface",
            "eth2",
            "--concurrency",
            "3",
            "--regex",
            "test_server_basic_ops",
        ]);
        expect([a.clientAddress, a.clientInterface, a.concurrency, a.selection]).to.deep.equal([
            "198.51.100.141/26",
            "eth2",
            "3",
            ["--regex", "test_server_basic_ops"],
        ]);
    });

    it("refuses half a client, a bad address, interface or concurrency, and unknown arguments", () => {
        expect(() => parseArgs(["--client-address", "198.51.100.141/26"])).to.throw(
            "--client-address and --client-interface go together",
        );
        expect(() => parseArgs(["--client-address", "198.51.100.141", "--client-interface", "eth2"])).to.throw(
            "--client-address must be an IPv4 CIDR such as 198.51.100.141/26, not 198.51.100.141",
        );
        expect(() => parseArgs(["--client-address", "198.51.100.141/26", "--client-interface", "eth2;x"])).to.throw(
            "--client-interface eth2;x is not an interface name",
        );
        expect(() => parseArgs(["--concurrency", "two"])).to.throw("--concurrency must be a number, not two");
        expect(() => parseArgs(["--all"])).to.throw("unknown argument --all (see scripts/verify/cli.ts)");
        expect(() => parseArgs(["--key"])).to.throw("--key needs a value");
    });
});

describe("verify: the verdict", () => {
    const credentials =
        "tempest.api.identity.admin.v3.test_credentials.CredentialsTestJSON.test_credentials_create_get_update_delete";
    const out = (failed: string[], passed = 61) =>
        [
            ...failed.map((f) => `failed: ${f}`),
            `verify: ${passed} passed, ${failed.length} failed, 16 skipped`,
            "",
        ].join("\n");

    it("every known failure has a release, a test ID and a reason", () => {
        for (const k of KNOWN_FAILURES) {
            expect(k.release).to.match(/^(folsom|zed|epoxy)$/);
            expect(k.test).to.match(/^tempest\.[a-z0-9_.]+\.[A-Za-z0-9]+\.test_[a-z0-9_]+$/);
            expect(k.reason.length).to.be.greaterThan(40);
        }
    });

    it("passes when nothing failed", () => {
        expect(judge("zed", out([]))).to.deep.equal({ ok: true, lines: ["verify: OK (0 known failure(s))"] });
    });

    it("knows the credential update test on zed and epoxy (the same keystone security patch)", () => {
        expect(KNOWN_FAILURES.map((k) => [k.release, k.test])).to.deep.equal([
            ["zed", credentials],
            ["epoxy", credentials],
        ]);
    });

    it("passes with a known failure of the release and names it with its reason", () => {
        const v = judge("epoxy", out([credentials]));
        expect(v.ok).to.equal(true);
        expect(v.lines).to.have.length(2);
        expect(v.lines[0]).to.equal(
            `verify: known failure on epoxy: ${credentials}: Debian's keystone 2:27.0.0-3+deb13u6 (Debian 13) ` +
                "(security update for CVE-2026-90460, Launchpad bug 2159643, Debian bugs 1149303 and 1149956; its " +
                "changelog.Debian) accepts only `blob` in PATCH /v3/credentials/{id} (keystone/credential/schema.py " +
                "update_request_body: additionalProperties false), while Tempest 43.0.0's test (and upstream " +
                "Tempest's) also sends project_id and type: HTTP 400",
        );
        expect(v.lines[1]).to.equal("verify: OK (1 known failure(s))");
    });

    it("fails on a failure that is known only for another release, or unknown", () => {
        expect(judge("folsom", out([credentials]))).to.deep.equal({
            ok: false,
            lines: [`verify: FAIL 1 failed test(s) not known for folsom: ${credentials}`],
        });
        const setup = "setUpClass (tempest.api.compute.servers.test_server_actions.ServerActionsTestJSON)";
        expect(judge("epoxy", out([credentials, setup])).ok).to.equal(false);
        expect(classifyFailures("epoxy", [credentials, setup]).unknown).to.deep.equal([setup]);
    });

    it("fails when no test passed or no counts came back", () => {
        expect(judge("zed", out([], 0))).to.deep.equal({ ok: false, lines: ["verify: FAIL no test passed"] });
        expect(judge("zed", "tempest: command not found\n").ok).to.equal(false);
    });
});
