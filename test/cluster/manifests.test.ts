import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Job } from 'kubernetes-models/batch/v1';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import YAML from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const docs = (rel: string) => YAML.parseAllDocuments(readFileSync(root + rel, 'utf8')).map((d) => d.toJS() as { kind: string; [k: string]: unknown });

type JobDoc = { spec: { completionMode?: string; completions?: number; parallelism?: number; template: { spec: { containers: { args: string[]; env?: { name: string; value: string }[]; volumeMounts: { mountPath: string }[] }[] } } } };

test('the Kubernetes manifests are valid against the Job and PVC API schemas (kubernetes-models)', () => {
  const all = [...docs('src/cluster/k8s/sweep-job.yaml'), ...docs('src/cluster/k8s/merge-job.yaml')];
  assert.deepEqual(all.map((d) => d.kind), ['PersistentVolumeClaim', 'Job', 'Job']);
  for (const d of all) (d.kind === 'Job' ? new Job(d as never) : new PersistentVolumeClaim(d as never)).validate();
});

test('the sweep is an Indexed Job whose shard count is its completions, writing to the shared volume', () => {
  const job = docs('src/cluster/k8s/sweep-job.yaml')[1] as unknown as JobDoc;
  assert.equal(job.spec.completionMode, 'Indexed');
  assert.equal(job.spec.parallelism, job.spec.completions, 'every pod runs at once, so --wait cannot deadlock');
  const c = job.spec.template.spec.containers[0]!;
  assert.equal(c.env?.find((e) => e.name === 'RLREPRO_SHARD_COUNT')?.value, String(job.spec.completions));
  assert.equal(c.args[0], 'shard');
  const out = c.args[c.args.indexOf('--out') + 1]!;
  assert.ok(c.volumeMounts.some((m) => out.startsWith(m.mountPath + '/')), `--out ${out} is on the mounted volume`);
  const merge = docs('src/cluster/k8s/merge-job.yaml')[0] as unknown as JobDoc;
  const m = merge.spec.template.spec.containers[0]!;
  assert.equal(m.args[0], 'merge');
  assert.equal(m.args[2], out, 'merge reads the folder the shards wrote');
});

test('the Slurm script parses and runs one shard per array task', () => {
  execFileSync('bash', ['-n', root + 'src/cluster/slurm/sweep.sbatch']);
  const text = readFileSync(root + 'src/cluster/slurm/sweep.sbatch', 'utf8');
  assert.match(text, /^#SBATCH /m);
  assert.match(text, /cli\.js shard "\$notebook" --preset "\$preset" --out "\$results"/);
});
