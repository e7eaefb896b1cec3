// Private to the shim: the control block every state carries as its allocator userdata.
#ifndef LUDUS_INTERNAL_H
#define LUDUS_INTERNAL_H

#include "ludus_shim.h"
#include <stdatomic.h>

/// Set by the watchdog on the generation of a call it stops.
#define WATCH_FIRE_BIT (1ull << 63)

/// Blocks up to LUDUS_POOL_MAX bytes, in classes LUDUS_POOL_GRAIN apart (block_pool.c).
#define LUDUS_POOL_GRAIN 16
#define LUDUS_POOL_MAX 256
typedef struct ludus_pool {
    void *free_list[LUDUS_POOL_MAX / LUDUS_POOL_GRAIN];
    char *bump;
    size_t bump_left, next_chunk;
    void *chunks;  // each chunk's first word links the next
} ludus_pool;
/// lua_Alloc's contract (nsize 0 frees; ptr NULL allocates, osize then ignored) over the pool
/// and malloc; NULL when out of memory, the old block then untouched.
void *ludus_pool_realloc(ludus_pool *p, void *ptr, size_t osize, size_t nsize);
/// Frees every chunk (after lua_close: every block is dead).
void ludus_pool_release(ludus_pool *p);

struct ludus_control {
    // Allocator: `used` never exceeds `cap`; a denied growth sets `memory_denied`.
    size_t used, cap, peak;
    int memory_denied;
    ludus_pool pool;

    // print: bytes logged during the current host call (reset by ludus_call), so a loop of
    // capped lines cannot flood the host log either.
    size_t printed;
    int print_silenced;

    // Watchdog: `generation` is odd while a host call runs and even between calls;
    // the host writes it with a plain store at the start and one exchange at the end.
    // The watchdog notices an odd generation that stayed the same past the budget,
    // tags it with WATCH_FIRE_BIT (compare-and-swap, so a finished call is never
    // tagged), arms an always-raising count hook, then publishes `armed`.
    _Atomic uint64_t generation;
    _Atomic uint64_t armed;
    _Atomic uint32_t budget_ms;
    uint64_t host_generation;       // host thread only
    uint64_t seen_generation;       // watchdog thread only
    uint64_t seen_since_ns;         // watchdog thread only

    // Sandbox violation: fatal for the current call (the same raising hook).
    int violation;
    char violation_message[256];

    lua_State *L;
    const void *rng_metatable;
    char library_dir[1024];
    char library_real[1024];  // realpath of library_dir ("" when it does not resolve)

    void *host;
    ludus_swift_fn swift_fn;
    ludus_log_fn log_fn;
    char error_buffer[512];

    struct ludus_control *next;  // watchdog list
};

ludus_control *ludus_ctl(lua_State *L);
void ludus_watchdog_add(ludus_control *c);
void ludus_watchdog_remove(ludus_control *c);
void ludus_arm_limit_hook(lua_State *L);
int ludus_limit_armed(lua_State *L);
int ludus_traceback_handler(lua_State *L);
/// Raises a sandbox violation: fatal for the rest of the current host call.
int ludus_raise_violation(lua_State *L, const char *fmt, ...);
int ludus_open_sandbox_impl(lua_State *L);
int ludus_install_rng_clone(lua_State *L);
/// Reads a table's numbers in place (table_reader.c); -2 when the shape needs the API path.
int ludus_read_table_fast(lua_State *L, int index, double *out, int capacity);
/// Reads a list of integers in place; -2 when the shape needs the API path.
int ludus_read_table_integers_fast(lua_State *L, int index, int64_t *out, int capacity);
/// Exactly `count` numbers (integers or floats, no strings) held in the array part of the
/// table at `index`, as one sequence: 1 and `out` filled, else 0 (read through the API then).
int ludus_read_table_exact_numbers_fast(lua_State *L, int index, double *out, int count);
/// Checks Lua's table layout once per process (allocates: run protected).
int ludus_table_reader_probe(lua_State *L);
/// Installs the `physics2d` host library (physics2d.c).
void ludus_open_physics2d(lua_State *L);

#endif
