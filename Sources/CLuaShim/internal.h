// Private to the shim: the control block every state carries as its allocator userdata.
#ifndef LUDUS_INTERNAL_H
#define LUDUS_INTERNAL_H

#include "ludus_shim.h"
#include <stdatomic.h>

enum { WATCH_IDLE = 0, WATCH_RUNNING = 1, WATCH_FIRING = 2, WATCH_FIRED = 3 };

struct ludus_control {
    // Allocator: `used` never exceeds `cap`; a denied growth sets `memory_denied`.
    size_t used, cap, peak;
    int memory_denied;

    // Watchdog: the host bumps `generation` and sets `state` around each call.
    // The watchdog thread notices a generation that stayed RUNNING past the
    // budget and arms an always-raising count hook; nothing runs on the fast path.
    _Atomic int state;
    _Atomic unsigned long generation;
    _Atomic uint32_t budget_ms;
    unsigned long seen_generation;  // watchdog thread only
    uint64_t seen_since_ns;         // watchdog thread only
    int timed_out;

    // Sandbox violation: fatal for the current call (the same raising hook).
    int violation;
    char violation_message[256];

    lua_State *L;
    const void *rng_metatable;
    char library_dir[1024];

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
/// Raises a sandbox violation: fatal for the rest of the current host call.
int ludus_raise_violation(lua_State *L, const char *fmt, ...);
int ludus_open_sandbox_impl(lua_State *L);
int ludus_install_rng_clone(lua_State *L);

#endif
