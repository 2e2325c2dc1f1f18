import fs from "node:fs";
import { createRequire } from "node:module";
import releaseSyncModule from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";
import { countdownWorks } from "./interrupt-countdown.ts";

/**
 * QuickJS WebAssembly instances, each with its own linear memory capped at the script memory
 * limit. QuickJS's own setMemoryLimit does not bound a runtime's total in the prebuilt wasm
 * (its allocator reports no usable sizes, so big strings never add up; quickjs-emscripten
 * issues 255 and 271): a capped WebAssembly.Memory is a hard ceiling instead, and a script
 * that reaches it gets QuickJS's own "out of memory" error. One script runs in an instance
 * at a time. An instance whose run ended cleanly goes back to a small idle pool (a fresh
 * runtime and context are still made per run, so no script state survives); one whose run
 * failed, or whose module aborted (a WebAssembly trap or a failed QuickJS assertion leaves the
 * instance dead), is dropped, so nothing a failed script did to the heap is ever reused.
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

export function compiledModule(): Promise<WebAssembly.Module> {
  const require = createRequire(import.meta.url);
  return (compiled ??= WebAssembly.compile(fs.readFileSync(require.resolve("@jitl/quickjs-wasmfile-release-sync/wasm"))));
}

let countdownChecked: boolean | undefined;

export interface Engine {
  module: QuickJSWASMModule;
  memory: WebAssembly.Memory;
  /** Whether this build lets a run shorten QuickJS's interrupt interval (interrupt-countdown.ts). */
  countdown: boolean;
  /** How many times the heap asked to grow past the cap: QuickJS reports some out-of-memory failures only as a thrown null. */
  growthRefused: number;
}

/** Counts refused growth: emscripten's allocator calls grow and takes a RangeError as "no more memory". */
function watchGrowth(memory: WebAssembly.Memory, engine: { growthRefused: number }): void {
  const grow = memory.grow.bind(memory);
  memory.grow = (delta: number): number => {
    try {
      return grow(delta);
    } catch (error) {
      engine.growthRefused += 1;
      throw error;
    }
  };
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
      const module = await newQuickJSWASMModuleFromVariant(newVariant(releaseSync, { wasmModule, wasmMemory: memory }));
      countdownChecked ??= countdownWorks(module, memory);
      const made: Engine = { module, memory, countdown: countdownChecked, growthRefused: 0 };
      watchGrowth(memory, made);
      return made;
    } catch (error) {
      this.free();
      throw error;
    }
  }

  get idleCount(): number {
    return this.idle.length;
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
