// Protected helpers: every allocating or raising operation the host needs,
// each run under lua_pcall so that no longjmp reaches a Swift frame.
#include "internal.h"
#include <string.h>

int ludus_protected(lua_State *L, lua_CFunction fn, void *ud, int nresults) {
    if (!lua_checkstack(L, 3)) return LUDUS_ERR_MEMORY;
    ludus_control *c = ludus_ctl(L);
    c->memory_denied = 0;
    lua_pushcfunction(L, fn);
    lua_pushlightuserdata(L, ud);
    int status = lua_pcall(L, 1, nresults, 0);
    if (status == LUA_OK) return LUDUS_OK;
    return (status == LUA_ERRMEM || c->memory_denied) ? LUDUS_ERR_MEMORY : LUDUS_ERR_SCRIPT;
}

static int open_sandbox(lua_State *L) { return ludus_open_sandbox_impl(L); }

int ludus_open_sandbox(lua_State *L, const char *library_dir) {
    return ludus_protected(L, open_sandbox, (void *)library_dir, 0);
}

int ludus_load(lua_State *L, const char *source, size_t length, const char *chunkname) {
    if (length > 0 && source[0] == LUA_SIGNATURE[0]) {
        lua_pushstring(L, "binary chunks cannot be loaded");  // tiny, preallocated-size push
        return LUDUS_ERR_VIOLATION;
    }
    int status = luaL_loadbufferx(L, source, length, chunkname, "t");  // lua_load runs protected
    if (status == LUA_OK) return LUDUS_OK;
    return status == LUA_ERRMEM ? LUDUS_ERR_MEMORY : LUDUS_ERR_SYNTAX;
}

// ---- trampolines ----

static int trampoline(lua_State *L) {
    ludus_control *c = ludus_ctl(L);
    int function_id = (int)lua_tointeger(L, lua_upvalueindex(1));
    if (c->swift_fn == NULL) return luaL_error(L, "host function %d is not available", function_id);
    c->error_buffer[0] = 0;
    int results = c->swift_fn(c->host, L, function_id);
    // The Swift frame has returned: raising is safe now.
    if (results < 0) return luaL_error(L, "%s", c->error_buffer);
    return results;
}

typedef struct { const char *table; const char *name; int id; } register_args;

static int register_impl(lua_State *L) {
    register_args *a = (register_args *)lua_touserdata(L, 1);
    if (a->table == NULL) {
        lua_pushglobaltable(L);
    } else if (strcmp(a->table, "ludus.rng") == 0) {
        luaL_getmetatable(L, "ludus.rng");
        lua_getfield(L, -1, "__index");
    } else {
        lua_pushglobaltable(L);
        if (lua_getfield(L, -1, a->table) != LUA_TTABLE) {
            lua_pop(L, 1);
            lua_newtable(L);
            lua_pushvalue(L, -1);
            lua_setfield(L, -3, a->table);
        }
    }
    lua_pushinteger(L, a->id);
    lua_pushcclosure(L, trampoline, 1);
    lua_setfield(L, -2, a->name);
    return 0;
}

int ludus_register(lua_State *L, const char *table, const char *name, int function_id) {
    register_args a = {table, name, function_id};
    int status = ludus_protected(L, register_impl, &a, 0);
    if (status != LUDUS_OK) lua_pop(L, 1);
    return status;
}

// ---- building blocks: the arguments are on the stack below the light userdata ----

typedef struct { const char *s; size_t len; } string_args;
static int push_string_impl(lua_State *L) {
    string_args *a = (string_args *)lua_touserdata(L, 1);
    lua_pushlstring(L, a->s, a->len);
    return 1;
}
int ludus_push_string(lua_State *L, const char *s, size_t len) {
    string_args a = {s, len};
    return ludus_protected(L, push_string_impl, &a, 1);
}

typedef struct { int narr, nrec; } table_args;
static int new_table_impl(lua_State *L) {
    table_args *a = (table_args *)lua_touserdata(L, 1);
    lua_createtable(L, a->narr, a->nrec);
    return 1;
}
int ludus_new_table(lua_State *L, int narr, int nrec) {
    table_args a = {narr, nrec};
    return ludus_protected(L, new_table_impl, &a, 1);
}

// Arguments: table, key, value, placeholder.
static int set_table_entry(lua_State *L) {
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 0;
}
int ludus_set_table(lua_State *L, int table_index) {
    if (!lua_checkstack(L, 4)) return LUDUS_ERR_MEMORY;
    table_index = lua_absindex(L, table_index);
    lua_pushcfunction(L, set_table_entry);
    lua_pushvalue(L, table_index);
    lua_rotate(L, -4, 2);  // ... fn table key value
    lua_pushnil(L);        // placeholder for the light userdata slot
    int status = lua_pcall(L, 4, 0, 0);
    if (status == LUA_OK) return LUDUS_OK;
    return status == LUA_ERRMEM ? LUDUS_ERR_MEMORY : LUDUS_ERR_SCRIPT;
}

static int ref_entry(lua_State *L) {
    lua_settop(L, 1);
    lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
    return 1;
}
int ludus_ref(lua_State *L) {
    if (!lua_checkstack(L, 3)) { lua_pop(L, 1); return LUA_NOREF; }
    lua_pushcfunction(L, ref_entry);
    lua_insert(L, -2);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) { lua_pop(L, 1); return LUA_NOREF; }
    int ref = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return ref;
}
void ludus_unref(lua_State *L, int ref) { luaL_unref(L, LUA_REGISTRYINDEX, ref); }  // frees a slot: never raises

// ---- rng userdata ----

static void push_rng(lua_State *L, const uint64_t state[4]) {
    uint64_t *words = (uint64_t *)lua_newuserdatauv(L, 4 * sizeof(uint64_t), 0);
    memcpy(words, state, 4 * sizeof(uint64_t));
    luaL_setmetatable(L, "ludus.rng");
}

static int new_rng_impl(lua_State *L) {
    push_rng(L, (const uint64_t *)lua_touserdata(L, 1));
    return 1;
}
int ludus_new_rng(lua_State *L, const uint64_t state[4]) {
    return ludus_protected(L, new_rng_impl, (void *)state, 1);
}

uint64_t *ludus_rng_state(lua_State *L, int index) {
    void *p = lua_touserdata(L, index);
    if (p == NULL || !lua_getmetatable(L, index)) return NULL;
    const void *mt = lua_topointer(L, -1);
    lua_pop(L, 1);
    return mt == ludus_ctl(L)->rng_metatable ? (uint64_t *)p : NULL;
}

static int rng_clone(lua_State *L) {
    uint64_t *state = ludus_rng_state(L, 1);
    if (state == NULL) return luaL_error(L, "rng:clone() expects an rng");
    push_rng(L, state);
    return 1;
}

// ---- deep copy ----

#define MAX_COPY_DEPTH 200

// Replaces the value on top with its copy. `seen` maps originals to copies.
static void copy_top(lua_State *L, int seen, int depth) {
    int t = lua_type(L, -1);
    if (t == LUA_TUSERDATA) {
        uint64_t *state = ludus_rng_state(L, -1);
        if (state != NULL) { push_rng(L, state); lua_remove(L, -2); }
        return;
    }
    if (t != LUA_TTABLE) return;
    if (depth > MAX_COPY_DEPTH) luaL_error(L, "clone: tables nested deeper than %d", MAX_COPY_DEPTH);
    luaL_checkstack(L, 6, "clone");
    int original = lua_gettop(L);
    lua_pushvalue(L, original);
    if (lua_rawget(L, seen) != LUA_TNIL) { lua_remove(L, original); return; }
    lua_pop(L, 1);
    lua_newtable(L);
    int copy = lua_gettop(L);
    lua_pushvalue(L, original);
    lua_pushvalue(L, copy);
    lua_rawset(L, seen);
    lua_pushnil(L);
    while (lua_next(L, original) != 0) {
        lua_pushvalue(L, -2);
        copy_top(L, seen, depth + 1);  // key
        lua_pushvalue(L, -2);
        copy_top(L, seen, depth + 1);  // value
        lua_rawset(L, copy);
        lua_pop(L, 1);
    }
    if (lua_getmetatable(L, original)) lua_setmetatable(L, copy);  // shared, as a class would be
    lua_remove(L, original);
}

// Whether the table on top holds no table or userdata, as key or value (a params table):
// its copy needs no `seen` map and no recursion.
static int is_flat_table(lua_State *L) {
    int table = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, table) != 0) {
        int key = lua_type(L, -2), value = lua_type(L, -1);
        if (key == LUA_TTABLE || key == LUA_TUSERDATA || value == LUA_TTABLE || value == LUA_TUSERDATA) {
            lua_settop(L, table);
            return 0;
        }
        lua_pop(L, 1);
    }
    return 1;
}

static int deep_copy_entry(lua_State *L) {
    // stack: value ud
    lua_pop(L, 1);
    if (lua_type(L, 1) == LUA_TTABLE && is_flat_table(L)) {
        // The same copy as copy_top's (same insertion order, shared metatable), minus the map
        // of seen tables it would allocate at every reset.
        lua_newtable(L);
        lua_pushnil(L);
        while (lua_next(L, 1) != 0) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, 2);
        }
        if (lua_getmetatable(L, 1)) lua_setmetatable(L, 2);
        return 1;
    }
    lua_newtable(L);
    lua_insert(L, 1);  // seen, value
    copy_top(L, 1, 0);
    return 1;
}

int ludus_deep_copy(lua_State *L, int index) {
    index = lua_absindex(L, index);
    if (!lua_checkstack(L, 4)) return LUDUS_ERR_MEMORY;
    lua_pushcfunction(L, deep_copy_entry);
    lua_pushvalue(L, index);
    lua_pushnil(L);
    int status = lua_pcall(L, 2, 1, 0);
    if (status == LUA_OK) return LUDUS_OK;
    return status == LUA_ERRMEM ? LUDUS_ERR_MEMORY : LUDUS_ERR_SCRIPT;
}

// Under ludus_protected: refs = {params, keys}. A new table sized for the keys and filled in
// their order, as the host built `params` itself (sorted keys, presized): pairs meets the keys
// in the same order in both.
static int copy_params(lua_State *L) {
    const int *refs = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, refs[0]);  // 2
    lua_rawgeti(L, LUA_REGISTRYINDEX, refs[1]);  // 3
    lua_Integer count = (lua_Integer)lua_rawlen(L, 3);
    lua_createtable(L, 0, count > 1 << 20 ? 1 << 20 : (int)count);  // 4: the copy
    for (lua_Integer i = 1; i <= count; i++) {
        lua_rawgeti(L, 3, i);  // key
        lua_pushvalue(L, -1);
        lua_rawget(L, 2);      // key, value
        lua_rawset(L, 4);
    }
    return 1;
}

int ludus_copy_params(lua_State *L, int params_ref, int keys_ref) {
    int refs[2] = { params_ref, keys_ref };
    return ludus_protected(L, copy_params, refs, 1);
}

// Registered by the sandbox opener through this hook so rng:clone exists.
int ludus_install_rng_clone(lua_State *L) {
    luaL_getmetatable(L, "ludus.rng");
    lua_getfield(L, -1, "__index");
    lua_pushcfunction(L, rng_clone);
    lua_setfield(L, -2, "clone");
    lua_pop(L, 2);
    return 0;
}

// ---- non-raising readers ----

static int read_numbers(lua_State *L, int index, int type, double *out, int capacity, int count, int depth) {
    switch (type) {
    case LUA_TNUMBER:
        if (count >= capacity) return -1;
        out[count] = lua_tonumberx(L, index, NULL);
        return count + 1;
    case LUA_TBOOLEAN:
        if (count >= capacity) return -1;
        out[count] = lua_toboolean(L, index) ? 1.0 : 0.0;
        return count + 1;
    case LUA_TTABLE: {
        // Elements are pushed in chunks and popped with one settop: a third fewer API calls.
        enum { CHUNK = 16 };
        if (depth > 16 || !lua_checkstack(L, CHUNK + 2)) return -1;
        lua_Integer n = (lua_Integer)lua_rawlen(L, index);
        for (lua_Integer first = 1; first <= n; first += CHUNK) {
            int chunk = (int)(n - first + 1 < CHUNK ? n - first + 1 : CHUNK);
            int base = lua_gettop(L);
            int numbers = 1;
            for (int k = 0; k < chunk; k++) numbers &= lua_rawgeti(L, index, first + k) == LUA_TNUMBER;
            if (numbers && count + chunk <= capacity) {
                for (int k = 0; k < chunk; k++) out[count++] = lua_tonumberx(L, base + 1 + k, NULL);
            } else {
                for (int k = 0; k < chunk && count >= 0; k++)
                    count = read_numbers(L, base + 1 + k, lua_type(L, base + 1 + k), out, capacity, count, depth + 1);
            }
            lua_settop(L, base);
            if (count < 0) return -1;
        }
        return count;
    }
    default:
        return -1;
    }
}

int ludus_read_numbers_api(lua_State *L, int index, double *out, int capacity) {
    index = lua_absindex(L, index);
    return read_numbers(L, index, lua_type(L, index), out, capacity, 0, 0);
}

int ludus_read_numbers(lua_State *L, int index, double *out, int capacity) {
    if (lua_type(L, index) == LUA_TTABLE) {
        int count = ludus_read_table_fast(L, index, out, capacity);
        if (count >= 0) return count;
    }
    return ludus_read_numbers_api(L, index, out, capacity);
}


int ludus_read_integers(lua_State *L, int index, int64_t *out, int capacity, int *bad_element) {
    *bad_element = 0;
    if (lua_type(L, index) != LUA_TTABLE) return -1;
    int n = ludus_read_table_integers_fast(L, index, out, capacity);
    if (n >= 0) return n;
    index = lua_absindex(L, index);
    lua_Integer length = (lua_Integer)lua_rawlen(L, index);
    if (length > capacity) return length > INT32_MAX ? INT32_MAX : (int)length;
    if (!lua_checkstack(L, 1)) return -1;
    for (lua_Integer k = 1; k <= length; k++) {
        lua_rawgeti(L, index, k);
        int isnum = 0;
        out[k - 1] = (int64_t)lua_tointegerx(L, -1, &isnum);
        lua_settop(L, -2);
        if (!isnum) { *bad_element = (int)k; return -1; }
    }
    return (int)length;
}

int ludus_read_step(lua_State *L, int base, double *reward) {
    int isnum = 0;
    *reward = lua_tonumberx(L, base + 1, &isnum);
    int terminated = lua_type(L, base + 2), truncated = lua_type(L, base + 3);
    if (terminated != LUA_TBOOLEAN || truncated != LUA_TBOOLEAN) return LUDUS_STEP_BAD_FLAGS;
    int flags = (lua_toboolean(L, base + 2) ? 1 : 0) | (lua_toboolean(L, base + 3) ? 2 : 0);
    return isnum ? flags : (flags | LUDUS_STEP_REWARD_NOT_NUMBER);
}
