// Time budget with nothing on the fast path: a watchdog thread watches each
// state's call generation and arms a raising count-1 hook only once a call has
// overrun. The hook stays armed until control is back in the host, so a
// script's pcall cannot swallow the error, and neither can a table.sort
// comparator or any other C boundary.
#include "internal.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <string.h>

#define WATCHDOG_TICK_NS 2000000ull  // 2 ms: the precision of a time limit
#define LUDUS_MAX_ERROR_MESSAGE 4096  // bytes of an error message kept (the rest is cut)

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t watch_once = PTHREAD_ONCE_INIT;
static ludus_control *watch_list = NULL;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void limit_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    ludus_control *c = ludus_ctl(L);
    if (c->violation) luaL_error(L, "sandbox violation: %s", c->violation_message);
    luaL_error(L, "time limit exceeded (%u ms)", (unsigned)atomic_load(&c->budget_ms));
}

void ludus_arm_limit_hook(lua_State *L) { lua_sethook(L, limit_hook, LUA_MASKCOUNT, 1); }
int ludus_limit_armed(lua_State *L) { return lua_gethook(L) == limit_hook; }

static void watch_one(ludus_control *c, uint64_t now) {
    uint64_t generation = atomic_load(&c->generation);
    if ((generation & 1) == 0 || (generation & WATCH_FIRE_BIT) || generation != c->seen_generation) {
        c->seen_generation = generation;
        c->seen_since_ns = now;
        return;
    }
    uint32_t budget = atomic_load(&c->budget_ms);
    if (budget == 0 || now - c->seen_since_ns < (uint64_t)budget * 1000000ull) return;
    if (atomic_compare_exchange_strong(&c->generation, &generation, generation | WATCH_FIRE_BIT)) {
        // Safe from another thread: the standalone interpreter does the same from SIGINT.
        ludus_arm_limit_hook(c->L);
        atomic_store(&c->armed, generation);
    }
}

static void *watchdog_main(void *arg) {
    (void)arg;
    struct timespec tick = {0, (long)WATCHDOG_TICK_NS};
    for (;;) {
        nanosleep(&tick, NULL);
        uint64_t now = now_ns();
        pthread_mutex_lock(&watch_lock);
        for (ludus_control *c = watch_list; c != NULL; c = c->next) watch_one(c, now);
        pthread_mutex_unlock(&watch_lock);
    }
    return NULL;
}

static void start_watchdog(void) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&thread, &attr, watchdog_main, NULL);
    pthread_attr_destroy(&attr);
}

void ludus_watchdog_add(ludus_control *c) {
    pthread_once(&watch_once, start_watchdog);
    pthread_mutex_lock(&watch_lock);
    c->next = watch_list;
    watch_list = c;
    pthread_mutex_unlock(&watch_lock);
}

void ludus_watchdog_remove(ludus_control *c) {
    pthread_mutex_lock(&watch_lock);
    for (ludus_control **p = &watch_list; *p != NULL; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&watch_lock);
}

int ludus_raise_violation(lua_State *L, const char *fmt, ...) {
    ludus_control *c = ludus_ctl(L);
    va_list args;
    va_start(args, fmt);
    vsnprintf(c->violation_message, sizeof(c->violation_message), fmt, args);
    va_end(args);
    c->violation = 1;
    ludus_arm_limit_hook(L);  // our own thread: every further instruction raises
    return luaL_error(L, "sandbox violation: %s", c->violation_message);
}

int ludus_traceback_handler(lua_State *L) {
    const char *message = lua_tostring(L, 1);
    if (message == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            message = lua_tostring(L, -1);
        else
            message = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    size_t length = strlen(message);
    if (length > LUDUS_MAX_ERROR_MESSAGE) {
        // A 200 MB message (a `__tostring`, a huge error string) would be copied into the traceback
        // and then into the host: keep its start and say how long it was.
        lua_pushfstring(L, "%s... (error message of %I bytes cut)",
                        lua_pushlstring(L, message, LUDUS_MAX_ERROR_MESSAGE), (lua_Integer)length);
        message = lua_tostring(L, -1);
    }
    luaL_traceback(L, L, message, 1);
    return 1;
}

int ludus_call(lua_State *L, int nargs, int nresults) {
    ludus_control *c = ludus_ctl(L);
    c->memory_denied = 0;
    c->violation = 0;
    c->printed = 0;
    c->print_silenced = 0;
    uint64_t generation = (c->host_generation += 2) | 1;  // odd: running
    atomic_store_explicit(&c->generation, generation, memory_order_relaxed);
    int status = lua_pcall(L, nargs, nresults, 1);  // slot 1: the traceback handler
    uint64_t seen = atomic_exchange_explicit(&c->generation, generation + 1, memory_order_acq_rel);
    int fired = seen != generation;
    if (fired) {
        while (atomic_load(&c->armed) != generation) { /* the watchdog is still arming the hook */ }
    }
    if (fired || c->violation) lua_sethook(L, NULL, 0, 0);
    if (status == LUA_OK) return LUDUS_OK;
    if (c->violation) return LUDUS_ERR_VIOLATION;
    // The first limit reached names the failure: a script that hit the memory cap, caught
    // the error with pcall and then ran out of time is a memory bomb, not a slow script.
    if (status == LUA_ERRMEM || c->memory_denied) return LUDUS_ERR_MEMORY;
    if (fired) return LUDUS_ERR_TIME;
    return LUDUS_ERR_SCRIPT;
}
