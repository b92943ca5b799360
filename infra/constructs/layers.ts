/**
 * Lambda layers from the system definition, built without Docker: the onnxruntime-node layer copies
 * the installed package with its linux-x64 CPU binaries only; the model layer carries the ONNX file
 * that `npm run train` exported.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { LayerDef, LayerId, SystemDef } from '../system';
import { entriesOf } from '../system';
import { pascal } from './data-stores';

export interface LayersProps {
  readonly system: SystemDef;
  /** Repository root, where node_modules and the layer sources are. */
  readonly root: string;
}

export class Layers extends Construct {
  public readonly layers: Readonly<Record<LayerId, lambda.LayerVersion>>;

  constructor(scope: Construct, id: string, props: LayersProps) {
    super(scope, id);
    const layers = {} as Record<LayerId, lambda.LayerVersion>;
    for (const [layerId, def] of entriesOf(props.system.layers)) {
      layers[layerId] = new lambda.LayerVersion(this, `${pascal(layerId)}Layer`, {
        description: def.description,
        compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
        compatibleArchitectures: [lambda.Architecture.X86_64],
        code: lambda.Code.fromAsset(resolve(props.root, 'layers', layerId), {
          assetHashType: AssetHashType.OUTPUT,
          bundling: {
            image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
            local: { tryBundle: (outputDir) => buildLayer(props.root, def, outputDir) },
          },
        }),
      });
    }
    this.layers = layers;
  }
}

/** Writes a layer's content into `outputDir`; always succeeds locally or throws with the reason. */
export function buildLayer(root: string, def: LayerDef, outputDir: string): boolean {
  if (def.kind === 'node-modules') {
    for (const pkg of def.packages ?? []) {
      const source = resolve(root, 'node_modules', pkg);
      if (!existsSync(source)) throw new Error(`layer package ${pkg} is not installed; run npm ci first`);
      const target = join(outputDir, 'nodejs', 'node_modules', pkg);
      cpSync(source, target, { recursive: true });
      const bin = join(target, 'bin');
      if (existsSync(bin)) pruneToLinuxX64(bin);
    }
    return true;
  }
  if (!def.sourceDir || !def.mount) throw new Error('a files layer needs sourceDir and mount');
  const target = join(outputDir, def.mount);
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(resolve(root, def.sourceDir))) {
    if (file.endsWith('.onnx')) cpSync(resolve(root, def.sourceDir, file), join(target, file));
  }
  return true;
}

/** Keeps `bin/napi-v*\/linux/x64` and removes every other platform's binaries. */
function pruneToLinuxX64(bin: string): void {
  for (const napi of readdirSync(bin)) {
    const napiDir = join(bin, napi);
    for (const platform of readdirSync(napiDir)) {
      const platformDir = join(napiDir, platform);
      if (platform !== 'linux') {
        rmSync(platformDir, { recursive: true, force: true });
        continue;
      }
      for (const arch of readdirSync(platformDir)) {
        if (arch !== 'x64') rmSync(join(platformDir, arch), { recursive: true, force: true });
      }
    }
  }
}
