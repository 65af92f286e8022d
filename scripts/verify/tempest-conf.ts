// tempest.conf for `npm run verify`, rendered from the stack's config and outputs: it
// states what the cloud has (services, image, flavors, the public network, no IPv6) so
// Tempest tests exactly that. Option names: tempest's config reference,
// https://docs.openstack.org/tempest/latest/sampleconf.html (tempest/config.py).
// The admin password is not part of it: the on-host script adds it from the controller's
// root-only credentials file. The network extension list is the cloud's own, read on the
// host at run time (`openstack extension list --network`), and replaces @EXTENSIONS@.
import { IniDoc, renderIni } from "../../components/shared/ini";

export interface VerifyFacts {
    readonly release: string;
    /** Keystone's public URL as the stack exports it (keystoneUrl). */
    readonly keystoneUrl: string;
    readonly region: string;
    readonly imageId: string;
    /** Flavor IDs: the one servers boot with, and a second one (resize tests). */
    readonly flavorRef: string;
    readonly flavorRefAlt: string;
    readonly externalNetworkId: string;
    readonly externalNetworkName: string;
    readonly horizonUrl: string;
    /** cinder-volume runs (config cinder.volumeService). */
    readonly volumes: boolean;
    /** A Swift proxy is registered (config swiftHost). */
    readonly objectStore: boolean;
    /** Placement exists (every release after Folsom). */
    readonly placement: boolean;
    /** Number of compute nodes (multi-node features need two). */
    readonly computes: number;
}

export const EXTENSIONS_PLACEHOLDER = "@EXTENSIONS@";

export function tempestConf(f: VerifyFacts): string {
    const base = f.keystoneUrl.replace(/\/(v2\.0|v3)\/?$/, "");
    const doc: IniDoc = {
        DEFAULT: { log_file: "tempest.log" },
        auth: {
            admin_username: "admin",
            admin_project_name: "admin",
            admin_domain_name: "Default",
            use_dynamic_credentials: true,
            create_isolated_networks: true,
        },
        identity: {
            uri_v3: `${base}/v3`,
            auth_version: "v3",
            region: f.region,
            v3_endpoint_type: "publicURL",
        },
        "identity-feature-enabled": { api_v2: false },
        compute: {
            image_ref: f.imageId,
            image_ref_alt: f.imageId,
            flavor_ref: f.flavorRef,
            flavor_ref_alt: f.flavorRefAlt,
            min_compute_nodes: f.computes,
            build_timeout: 300,
        },
        "compute-feature-enabled": {
            live_migration: false,
            resize: false,
            cold_migration: false,
            vnc_console: true,
            config_drive: true,
            console_output: true,
            attach_encrypted_volume: false,
        },
        image: { build_timeout: 300 },
        "image-feature-enabled": { api_v1: false, api_v2: true },
        network: {
            public_network_id: f.externalNetworkId,
            floating_network_name: f.externalNetworkName,
            project_network_cidr: "10.100.0.0/16",
            project_networks_reachable: false,
            build_timeout: 300,
        },
        "network-feature-enabled": {
            ipv6: false,
            ipv6_subnet_attributes: false,
            api_extensions: EXTENSIONS_PLACEHOLDER,
        },
        // The lab's guest image runs dropbear with the key from the metadata service.
        validation: {
            run_validation: true,
            connect_method: "floating",
            auth_method: "keypair",
            ip_version_for_ssh: 4,
            image_ssh_user: "root",
            ssh_timeout: 300,
            ping_timeout: 120,
        },
        volume: { build_timeout: 300 },
        "volume-feature-enabled": { backup: false },
        dashboard: { dashboard_url: f.horizonUrl, login_url: `${f.horizonUrl.replace(/\/$/, "")}/auth/login/` },
        service_available: {
            nova: true,
            glance: true,
            neutron: true,
            cinder: f.volumes,
            swift: f.objectStore,
            horizon: true,
            placement: f.placement,
        },
    };
    return renderIni(doc);
}
