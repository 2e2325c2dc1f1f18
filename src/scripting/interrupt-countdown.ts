import type { QuickJSContext, QuickJSWASMModule } from "quickjs-emscripten-core";

/**
 * How often QuickJS asks the interrupt handler whether to stop. QuickJS itself asks once
 * every 10,000 ticks (calls and backward jumps: JS_INTERRUPT_COUNTER_INIT in quickjs.c, with
 * no API to change it), and one tick is not cheap when it throws: each error walks the whole
 * stack into its backtrace, function names included. A script that catches its own stack
 * overflow and recurses again throws on nearly every tick, so 10,000 ticks took from 5 s (short
 * names) to over 200 s (a 20,000-character function name) between two checks, the whole
 * server blocked meanwhile.
 *
 * The countdown is the `interrupt_counter` field of QuickJS's JSContext, in the module's own
 * linear memory. QuickJS resets it before calling the handler, so the handler may write a
 * smaller count after it. The field's offset is what the C layout gives for wasm32 in the
 * QuickJS version we ship (2025-09-13); it is checked on a throwaway context before use, and
 * when the check fails (another QuickJS build), runs fall back to QuickJS's own interval.
 */
const counterOffset = 232;
const quickJSInterval = 10_000;

export interface InterruptCountdown {
  /** Ask the interrupt handler again after this many ticks. */
  set(ticks: number): void;
}

function counterOf(memory: WebAssembly.Memory, context: QuickJSContext): InterruptCountdown {
  // The context pointer is quickjs-emscripten's own (protected) handle on the JSContext.
  const address = (context as unknown as { ctx: { value: number } }).ctx.value + counterOffset;
  return {
    set(ticks) {
      // A new view each time: the memory's buffer is replaced whenever the heap grows.
      new Int32Array(memory.buffer, address, 1)[0] = ticks;
    },
  };
}

/** True when writing the countdown of a fresh context of this module changes how often QuickJS asks. */
export function countdownWorks(module: QuickJSWASMModule, memory: WebAssembly.Memory): boolean {
  const runtime = module.newRuntime();
  const context = runtime.newContext();
  try {
    const read = () => new Int32Array(memory.buffer, (context as unknown as { ctx: { value: number } }).ctx.value + counterOffset, 1)[0]!;
    const countdown = counterOf(memory, context);
    let asked = 0;
    let everyTick = false;
    runtime.setInterruptHandler(() => {
      asked += 1;
      if (everyTick) countdown.set(1);
      return false;
    });
    context.unwrapResult(context.evalCode("0")).dispose();
    // QuickJS asked once (a fresh counter is 0), reset to its interval and counted a few ticks down.
    if (asked !== 1 || read() <= quickJSInterval - 100 || read() > quickJSInterval) return false;
    everyTick = true;
    countdown.set(1);
    asked = 0;
    context.unwrapResult(context.evalCode("for (let i = 0; i < 50; i++) {}")).dispose();
    return asked >= 50;
  } catch {
    return false;
  } finally {
    context.dispose();
    runtime.dispose();
  }
}

export function interruptCountdown(memory: WebAssembly.Memory, context: QuickJSContext, works: boolean): InterruptCountdown {
  return works ? counterOf(memory, context) : { set() {} };
}
