// npm run verify: tempest.conf from the stack outputs (exact text), and the errors that
// name a missing output.
import { expect } from "chai";
import { factsFrom, VerifyOutputs } from "../../scripts/verify/cli";
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
