import fs from "node:fs";
import { createRequire } from "node:module";
import releaseSyncModule from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";

/**
 * QuickJS WebAssembly instances, each with its own linear memory capped at the script memory
 * limit. QuickJS's own setMemoryLimit does not bound a runtime's total in the prebuilt wasm
 * (its allocator reports no usable sizes, so big strings never add up; quickjs-emscripten
 * issues 255 and 271): a capped WebAssembly.Memory is a hard ceiling instead, and a script
 * that reaches it gets QuickJS's own "out of memory" error. One script runs in an instance
 * at a time. An instance whose run ended cleanly goes back to a small idle pool (a fresh
 * runtime and context are still made per run, so no script state survives); one whose run
 * failed is dropped, so nothing a failed script did to the heap is ever reused.
 */
// The package is CommonJS with a default export; TypeScript types the import as its namespace.
const releaseSync = releaseSyncModule as unknown as QuickJSSyncVariant;

const pageBytes = 64 * 1024;
/** The module's data and stack need 256 pages before any script allocates. */
const minimumPages = 256;
const maxIdle = 4;
/** Runs at once per process; more wait their turn, so memory stays within this many capped instances. */
const maxBusy = 16;

let compiled: Promise<WebAssembly.Module> | undefined;

function compiledModule(): Promise<WebAssembly.Module> {
  const require = createRequire(import.meta.url);
  return (compiled ??= WebAssembly.compile(fs.readFileSync(require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm"))));
}

export interface Engine {
  module: QuickJSWASMModule;
}

export class EnginePool {
  private readonly idle: Engine[] = [];
  private readonly maximumPages: number;
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(memoryBytes: number) {
    this.maximumPages = Math.max(minimumPages + 16, Math.ceil(memoryBytes / pageBytes));
  }

  async acquire(): Promise<Engine> {
    while (this.busy >= maxBusy) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.busy += 1;
    try {
      const engine = this.idle.pop();
      if (engine) return engine;
      const memory = new WebAssembly.Memory({ initial: minimumPages, maximum: this.maximumPages });
      const wasmModule = await compiledModule();
      return { module: await newQuickJSWASMModuleFromVariant(newVariant(releaseSync, { wasmModule, wasmMemory: memory })) };
    } catch (error) {
      this.free();
      throw error;
    }
  }

  release(engine: Engine, reusable: boolean): void {
    if (reusable && this.idle.length < maxIdle) this.idle.push(engine);
    this.free();
  }

  private free(): void {
    this.busy -= 1;
    this.waiting.shift()?.();
  }
}
