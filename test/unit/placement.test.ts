// Placement under mocks: none on Folsom; on Zed the exact children, the golden
// placement.conf, the database, the db sync as the placement user, the restart and wait,
// secrets only on stdin, preview.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { buildBase, buildComputeAndVolume } from "../../components/cloud";
import { Placement } from "../../components/placement";
import { RawConfig } from "../../config";
import {
    devConfig,
    find,
    forRelease,
    Registered,
    run,
    settleOutput,
    TEST_SECRETS,
    unwrap,
    MODERN_RELEASES,
    mysqlOutputs,
} from "./harness";

const CMD = "command:remote:Command";
const GOLDEN = path.join(__dirname, "golden");

const mockOutputs = mysqlOutputs;

async function build(change: (c: RawConfig) => RawConfig, preview = false) {
    let placement: Placement | undefined;
    const result = await run(
        () => {
            placement = buildComputeAndVolume(buildBase(devConfig(change))).placement;
        },
        { mockOutputs, preview },
    );
    return { ...result, placement };
}

const mine = (rs: readonly Registered[]) =>
    rs
        .filter((r) => /^placement(-|$)/.test(r.name))
        .map((r) => r.name)
        .sort();
const body = (rs: readonly Registered[], n: string) =>
    (unwrap(find(rs, n).inputs).create as string).split("oslab_retry() {")[1];

describe("placement (folsom)", () => {
    it("does not exist", async () => {
        const res = await build((c) => c);
        expect(res.placement).to.equal(undefined);
        expect(mine(res.resources)).to.deep.equal([]);
    });
});

for (const release of MODERN_RELEASES) {
    describe(`placement (${release})`, function () {
        this.timeout(60000);
        let res: Awaited<ReturnType<typeof build>>;
        before(async () => {
            res = await build(forRelease(release));
        });

        it("registers exactly these children", () => {
            expect(mine(res.resources)).to.deep.equal(
                [
                    "placement",
                    "placement-install",
                    "placement-db",
                    "placement-conf-placement.conf",
                    "placement-db-sync",
                    "placement-restart",
                ].sort(),
            );
            expect(find(res.resources, "placement").type).to.equal("oslab:placement:Placement");
            expect(res.placement!.url).to.equal("http://192.168.122.111:8778");
        });

        it("renders placement.conf as the golden copy", async () => {
            const actual = (await settleOutput(res.placement!.conf.rendered))!;
            const p = path.join(GOLDEN, release, "alice", "placement.conf");
            if (process.env.UPDATE_GOLDEN === "1") {
                fs.writeFileSync(p, actual);
            }
            expect(actual).to.equal(fs.readFileSync(p, "utf8"));
        });

        it("creates the database, syncs it as placement, restarts and waits for 8778", () => {
            const db = unwrap(find(res.resources, "placement-db").inputs);
            expect([db.database, db.user, db.password, db.host, db.urlScheme]).to.deep.equal([
                "placement",
                "placement",
                TEST_SECRETS.generated,
                "192.168.122.111",
                "mysql+pymysql",
            ]);
            expect(body(res.resources, "placement-install")).to.contain(
                "\noslab_install placement-api placement-common\n",
            );
            expect(body(res.resources, "placement-db-sync")).to.contain(
                "\nsu -s /bin/sh -c 'placement-manage db sync' placement\n",
            );
            expect(unwrap(find(res.resources, "placement-db-sync").inputs).triggers).to.deep.equal(["placement-db-id"]);
            expect(body(res.resources, "placement-restart")).to.contain(
                "\noslab_svc restart placement-api\noslab_wait_tcp 192.168.122.111 8778 180\n",
            );
        });

        it("sends secrets only on stdin, placement.conf root:placement 0640", () => {
            const spec = JSON.parse(unwrap(find(res.resources, "placement-conf-placement.conf").inputs).stdin);
            expect([spec.mode, spec.owner, spec.group]).to.deep.equal(["0640", "root", "placement"]);
            expect(spec.set.placement_database.connection).to.equal(
                `mysql+pymysql://placement:${TEST_SECRETS.generated}@192.168.122.111/placement`,
            );
            for (const r of res.resources.filter((x) => x.type === CMD && /^placement/.test(x.name))) {
                const i = unwrap(r.inputs);
                expect(`${i.create}\n${i.delete ?? ""}`, r.name).not.to.contain(TEST_SECRETS.generated);
            }
        });

        it("registers the same resources in preview", async () => {
            expect(mine((await build(forRelease(release), true)).resources)).to.deep.equal(mine(res.resources));
        });
    });
}
