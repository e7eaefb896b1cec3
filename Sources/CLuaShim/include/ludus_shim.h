// The only C in Ludus: what must run on the C side of a longjmp.
//
// Rules (see docs/architecture.md):
// - Swift never calls lua_error, luaL_error, lua_call or lua_yield.
// - Anything that allocates or may run a metamethod runs inside ludus_protected().
// - Swift functions called from Lua go through ludus_trampoline: they return a
//   result count, or LUDUS_SWIFT_ERROR with a message in the control block, and
//   C raises the Lua error after the Swift frame has returned.
#ifndef LUDUS_SHIM_H
#define LUDUS_SHIM_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// How a host call into Lua ended.
typedef enum {
    LUDUS_OK = 0,
    LUDUS_ERR_SCRIPT = 1,     ///< runtime error raised by the script (message + traceback on the stack)
    LUDUS_ERR_SYNTAX = 2,     ///< chunk failed to compile
    LUDUS_ERR_MEMORY = 3,     ///< the instance's memory cap was hit
    LUDUS_ERR_TIME = 4,       ///< the call ran past its time budget
    LUDUS_ERR_VIOLATION = 5,  ///< the script tried to leave the sandbox
} ludus_status;

#define LUDUS_SWIFT_ERROR (-1)

/// Swift side of a Lua -> Swift call: returns the number of results pushed,
/// or LUDUS_SWIFT_ERROR after ludus_set_error(). Must not raise.
typedef int (*ludus_swift_fn)(void *host, lua_State *L, int function_id);
/// Receives text printed by a script. Must not raise.
typedef void (*ludus_log_fn)(void *host, const char *text, size_t length);

typedef struct ludus_control ludus_control;

/// Creates a state with the capped allocator. Returns NULL when out of memory.
lua_State *ludus_newstate(size_t memory_cap, uint32_t budget_ms, ludus_control **out_control);
/// Closes a state: finalizers run with an always-raising hook, so no `__gc` can loop.
void ludus_close(lua_State *L);

ludus_control *ludus_control_of(lua_State *L);
void ludus_set_host(lua_State *L, void *host, ludus_swift_fn fn, ludus_log_fn log);
void ludus_set_budget_ms(lua_State *L, uint32_t budget_ms);
void ludus_set_memory_cap(lua_State *L, size_t cap);
size_t ludus_memory_used(lua_State *L);
size_t ludus_memory_peak(lua_State *L);
/// Stores an error message for the trampoline to raise (Swift callbacks only).
void ludus_set_error(lua_State *L, const char *message);

/// Opens base, table, string, math, utf8 and installs the sandbox:
/// forbidden globals raise violations, text-only `load`, guarded patterns,
/// host `require` limited to `library_dir` (may be NULL), `print` to the host log,
/// `rng` userdata type. Returns LUDUS_OK or an error status with a message on the stack.
int ludus_open_sandbox(lua_State *L, const char *library_dir);

/// Loads a text chunk (never binary). Pushes the function, or an error message.
int ludus_load(lua_State *L, const char *source, size_t length, const char *chunkname);

/// Calls the function below `nargs` arguments under the time budget, with a
/// traceback handler. On error leaves one string (message + traceback).
int ludus_call(lua_State *L, int nargs, int nresults);

/// Pushes a function (self, action) that calls E.step (`step_ref`) and, unless the step
/// ended the episode, E.current_player and E.legal_actions of E (`module_ref`): results are
/// the step's five, then the player to move and (unless 0 or -1) its legal actions.
/// An error of any of them is the call's error. See step_turn.c.
int ludus_push_step_turn(lua_State *L, int step_ref, int module_ref);
/// The same wrapper around E.reset (`reset_ref`): obs, info, then the first player and its
/// legal actions (just the player when it is 0 or -1).
int ludus_push_reset_turn(lua_State *L, int reset_ref, int module_ref);

/// Runs `fn` with `ud` as a light userdata argument under lua_pcall.
/// On error the message is left on the stack.
int ludus_protected(lua_State *L, lua_CFunction fn, void *ud, int nresults);

/// Registers a global Swift function `name` (or a method in table `table`).
int ludus_register(lua_State *L, const char *table, const char *name, int function_id);

// ---- protected building blocks (each runs under ludus_protected) ----
int ludus_push_string(lua_State *L, const char *s, size_t len);
int ludus_new_table(lua_State *L, int narr, int nrec);
/// t[k] = v for the table at `table_index`, key and value on top (pops both).
int ludus_set_table(lua_State *L, int table_index);
/// Pops the value on top and returns a registry reference (or LUA_NOREF on error).
int ludus_ref(lua_State *L);
void ludus_unref(lua_State *L, int ref);
/// Pushes a new rng userdata with the given state (4 x uint64).
int ludus_new_rng(lua_State *L, const uint64_t state[4]);
/// The state words of the rng userdata at `index`, or NULL if it is not one.
uint64_t *ludus_rng_state(lua_State *L, int index);
/// Deep-copies the table at `index` (sharing metatables, cloning rngs); pushes the copy.
int ludus_deep_copy(lua_State *L, int index);
/// Pushes a copy of the flat table `params_ref` (values that are not tables) holding the keys
/// listed, in order, in `keys_ref`: one table sized at once, no walk with `next`.
int ludus_copy_params(lua_State *L, int params_ref, int keys_ref);

/// Copies the numbers of the value at `index` (a number, a boolean, or nested
/// arrays of them) into `out`, at most `capacity`. Never raises.
/// Returns the count written, or -1 when a non-number was met or capacity was exceeded.
/// Tables are read in place when their shape allows (table_reader.c), else through the API.
int ludus_read_numbers(lua_State *L, int index, double *out, int capacity);
/// The same read through the public API only (the reference the fast path is tested against).
int ludus_read_numbers_api(lua_State *L, int index, double *out, int capacity);
/// Whether the start-up probe found Lua's table layout as expected (in-place reads on).
int ludus_fast_table_reads_enabled(void);

/// Copies the list of integers at `index` (a table) into `out`. Never raises.
/// Returns its length; when that exceeds `capacity` nothing is written (grow and retry).
/// Returns -1 when element `*bad_element` is not an integer, or with `*bad_element`
/// 0 when the value is not a table (or the stack cannot grow).
int ludus_read_integers(lua_State *L, int index, int64_t *out, int capacity, int *bad_element);
/// One part of a flat observation plan (ScriptEnvironment's FlattenPlan): where its
/// numbers come from (the whole value, a field whose key string is registry ref `key`, or
/// position `key`), where they go (`offset`) and how many (`count`; negative: a text part,
/// skipped here).
typedef struct { int32_t source, key, offset, count; } ludus_flat_entry;
#define LUDUS_FLAT_WHOLE 0
#define LUDUS_FLAT_FIELD 1
#define LUDUS_FLAT_INDEX 2
/// Copies the number parts of the observation at `index` into `out` by the plan. Never raises.
/// Returns -1 when every part fit, else the position of the first part that did not (the
/// host redoes the copy its own way to word the problem).
int ludus_copy_flat_numbers(lua_State *L, int index, const ludus_flat_entry *entries, int count, double *out);
/// Reads a per-player reward table at `index` (exactly `players` numbers, numeric strings
/// converted as lua_tonumberx does) into `out`. Never raises. Returns 1, or 0 when the value
/// does not fit (the host then words the problem).
int ludus_read_rewards(lua_State *L, int index, double *out, int players);
/// Reads what E.step returned at base+1 (reward), base+2 (terminated), base+3 (truncated).
/// Returns bit 0 terminated, bit 1 truncated, plus LUDUS_STEP_REWARD_NOT_NUMBER when the
/// reward is not a number (a per-player table, or wrong), or LUDUS_STEP_BAD_FLAGS.
int ludus_read_step(lua_State *L, int base, double *reward);
/// One discrete step in one host call: calls the function `step_ref` (E.step, or it fused with
/// the next turn) on the instance `instance_ref` with `action` for `nresults` results
/// (ludus_call), then, unless `park_slot` is LUA_NOREF, stores the observation in that registry
/// slot, and reads the flags and a number reward as ludus_read_step does (into *flags and
/// *reward). Returns ludus_call's status; the results, or the error message, are on the stack.
int ludus_step_integer(lua_State *L, int step_ref, int instance_ref, lua_Integer action, int nresults,
                       int park_slot, double *reward, int *flags);
#define LUDUS_STEP_REWARD_NOT_NUMBER 4
#define LUDUS_STEP_BAD_FLAGS (-1)

// ---- Macros that do not import into Swift ----
static inline void ludus_pop(lua_State *L, int n) { lua_settop(L, -(n)-1); }
static inline int ludus_registry_index(void) { return LUA_REGISTRYINDEX; }
static inline void ludus_remove(lua_State *L, int i) { lua_remove(L, i); }
/// A spin-wait hint (x86 `pause`): a thread waiting in a loop for another leaves the core's
/// shared resources to the thread it waits for (a hyperthread sibling on most cloud machines).
static inline void ludus_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
static inline int ludus_isnoneornil(lua_State *L, int i) { return lua_type(L, i) <= 0; }
static inline lua_Number ludus_tonumber(lua_State *L, int i, int *isnum) { return lua_tonumberx(L, i, isnum); }
static inline lua_Integer ludus_tointeger(lua_State *L, int i, int *isnum) { return lua_tointegerx(L, i, isnum); }
static inline int ludus_rawgeti_registry(lua_State *L, int ref) { return lua_rawgeti(L, LUA_REGISTRYINDEX, ref); }

#ifdef __cplusplus
}
#endif
#endif

