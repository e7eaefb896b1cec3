// The control block, the capped allocator and the state's life cycle.
#include "internal.h"
#include <stdlib.h>
#include <string.h>

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    ludus_control *c = (ludus_control *)ud;
    if (ptr == NULL) osize = 0;  // osize then encodes the object type, not a size
    if (nsize == 0) {
        ludus_pool_realloc(&c->pool, ptr, osize, 0);
        c->used -= osize;
        return NULL;
    }
    if (nsize > osize && nsize - osize > c->cap - c->used) {  // no overflow: used <= cap
        c->memory_denied = 1;
        return NULL;
    }
    void *block = ludus_pool_realloc(&c->pool, ptr, osize, nsize);
    if (block == NULL) {
        if (nsize <= osize) return ptr;  // a shrink must never fail: keep the old block
        c->memory_denied = 1;
        return NULL;
    }
    c->used = c->used - osize + nsize;
    if (c->used > c->peak) c->peak = c->used;
    return block;
}

lua_State *ludus_newstate(size_t memory_cap, uint32_t budget_ms, ludus_control **out_control) {
    ludus_control *c = calloc(1, sizeof(ludus_control));
    if (c == NULL) return NULL;
    c->cap = memory_cap;
    atomic_init(&c->generation, 0);
    atomic_init(&c->armed, 0);
    atomic_init(&c->budget_ms, budget_ms);
    lua_State *L = lua_newstate(capped_alloc, c);
    if (L == NULL) {
        ludus_pool_release(&c->pool);
        free(c);
        return NULL;
    }
    c->L = L;
    // Stack slot 1 holds the traceback handler for every host call: pushed once,
    // so the hot path neither pushes nor rotates it (a light C function: no allocation).
    lua_pushcfunction(L, ludus_traceback_handler);
    ludus_watchdog_add(c);
    if (out_control) *out_control = c;
    return L;
}

void ludus_close(lua_State *L) {
    ludus_control *c = ludus_ctl(L);
    ludus_watchdog_remove(c);
    // setmetatable refuses `__gc`, so no script finalizer exists; the hook is a
    // second fence should one ever appear (Lua 5.4 disables hooks inside __gc).
    ludus_arm_limit_hook(L);
    lua_close(L);
    ludus_pool_release(&c->pool);
    free(c);
}

ludus_control *ludus_ctl(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (ludus_control *)ud;
}

ludus_control *ludus_control_of(lua_State *L) { return ludus_ctl(L); }

void ludus_set_host(lua_State *L, void *host, ludus_swift_fn fn, ludus_log_fn log) {
    ludus_control *c = ludus_ctl(L);
    c->host = host;
    c->swift_fn = fn;
    c->log_fn = log;
}

void ludus_set_budget_ms(lua_State *L, uint32_t budget_ms) { atomic_store(&ludus_ctl(L)->budget_ms, budget_ms); }
void ludus_set_memory_cap(lua_State *L, size_t cap) {
    ludus_control *c = ludus_ctl(L);
    c->cap = cap < c->used ? c->used : cap;
}
size_t ludus_memory_used(lua_State *L) { return ludus_ctl(L)->used; }
size_t ludus_memory_peak(lua_State *L) { return ludus_ctl(L)->peak; }

void ludus_set_error(lua_State *L, const char *message) {
    ludus_control *c = ludus_ctl(L);
    strncpy(c->error_buffer, message, sizeof(c->error_buffer) - 1);
    c->error_buffer[sizeof(c->error_buffer) - 1] = 0;
}
