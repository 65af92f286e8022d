import { expect } from "chai";
import { iniValue, mergeIni, renderIni } from "../../components/shared/ini";

describe("ini renderer", () => {
    it("renders DEFAULT first, insertion order, oslo values, drops undefined/null", () => {
        const text = renderIni(
            {
                ovs: { local_ip: "192.168.133.112", enable_tunneling: true, skip: undefined },
                DEFAULT: { verbose: false, enabled_apis: ["ec2", "osapi_compute", "metadata"], workers: 2, gone: null },
                empty: { nothing: undefined },
            },
            ["openstack-lab: test"],
        );
        expect(text).to.equal(
            [
                "# openstack-lab: test",
                "",
                "[DEFAULT]",
                "verbose = false",
                "enabled_apis = ec2,osapi_compute,metadata",
                "workers = 2",
                "",
                "[ovs]",
                "local_ip = 192.168.133.112",
                "enable_tunneling = true",
                "",
            ].join("\n"),
        );
    });

    it("is deterministic", () => {
        const doc = { a: { x: 1, y: [1, 2] }, DEFAULT: { z: "q" } };
        expect(renderIni(doc)).to.equal(renderIni(JSON.parse(JSON.stringify(doc))));
    });

    it("merges overrides: replace, add, remove with null, new sections appended", () => {
        const merged = mergeIni(
            { DEFAULT: { a: "1", b: "2" }, libvirt: { virt_type: "kvm" } },
            { DEFAULT: { b: "3", c: "4", a: null }, extra: { k: true } },
        );
        expect(renderIni(merged)).to.equal(
            "[DEFAULT]\nb = 3\nc = 4\n\n[libvirt]\nvirt_type = kvm\n\n[extra]\nk = true\n",
        );
    });

    it("refuses values with line breaks (they would inject keys)", () => {
        expect(() => iniValue("a\nadmin_token = x")).to.throw("INI values cannot contain line breaks");
    });
});
