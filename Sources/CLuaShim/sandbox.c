// The sandbox: five standard libraries, and wrappers for every way out.
#include "internal.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Estimated steps a backtracking pattern may take: subject^(items + 1).
// `('a'):rep(600):find('a-a-a-b')` (about 1e11) took 25 s: refuse such calls.
#define PATTERN_STEP_BUDGET 1e9

static const char *const forbidden_globals[] = {
    "io", "os", "package", "debug", "dofile", "loadfile", "collectgarbage",
    "coroutine", "loadstring", "module", "newproxy", "setfenv", "getfenv", NULL,
};

static int forbidden_index(lua_State *L) {
    const char *name = lua_tostring(L, 2);
    if (name != NULL) {
        for (int i = 0; forbidden_globals[i] != NULL; i++)
            if (strcmp(name, forbidden_globals[i]) == 0)
                return ludus_raise_violation(L, "'%s' is not available in the Ludus sandbox", name);
    }
    return 0;  // any other missing global is nil, as in plain Lua
}

static int forbidden_function(lua_State *L) {
    return ludus_raise_violation(L, "'%s' is not available in the Ludus sandbox",
                                 lua_tostring(L, lua_upvalueindex(1)));
}

// load(chunk [, chunkname [, mode [, env]]]): text chunks only.
static int sandbox_load(lua_State *L) {
    int n = lua_gettop(L);
    if (lua_type(L, 1) == LUA_TSTRING) {
        const char *chunk = lua_tostring(L, 1);
        if (chunk[0] == LUA_SIGNATURE[0]) return ludus_raise_violation(L, "binary chunks cannot be loaded");
    }
    if (n >= 3 && lua_type(L, 3) == LUA_TSTRING && strchr(lua_tostring(L, 3), 'b') != NULL)
        return ludus_raise_violation(L, "binary chunks cannot be loaded");
    if (n < 3) lua_settop(L, 3);  // keeps `env` absent, so the chunk sees the sandbox globals
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

// setmetatable refuses `__gc`: Lua 5.4 runs finalizers with hooks disabled,
// so a looping finalizer could never be stopped.
static int sandbox_setmetatable(lua_State *L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return ludus_raise_violation(L, "__gc metamethods are not allowed in the sandbox");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

// Counts the items of a pattern that can backtrack (quantifiers and %b).
static int backtracking_items(const char *p, size_t len) {
    int items = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = p[i];
        if (ch == '%' && i + 1 < len) {
            if (p[i + 1] == 'b') { items++; i += 3; continue; }
            if (p[i + 1] == 'f') { i += 1; continue; }
            i += 1;
        } else if (ch == '[') {
            size_t j = i + 1;
            if (j < len && p[j] == '^') j++;
            if (j < len && p[j] == ']') j++;
            while (j < len && p[j] != ']') { if (p[j] == '%') j++; j++; }
            i = j;
        } else if (ch == '*' || ch == '+' || ch == '-' || ch == '?') {
            items++;
        }
    }
    return items;
}

// string.find / match / gmatch / gsub, refusing calls whose worst case would run for seconds
// inside one C call, where no hook can stop them.
static int guarded_pattern(lua_State *L) {
    size_t subject_len = 0, pattern_len = 0;
    if (lua_type(L, 1) == LUA_TSTRING && lua_type(L, 2) == LUA_TSTRING) {
        lua_tolstring(L, 1, &subject_len);
        const char *pattern = lua_tolstring(L, 2, &pattern_len);
        int plain = lua_toboolean(L, 4) && lua_tointeger(L, lua_upvalueindex(2)) == 1;  // find's plain flag
        if (!plain) {
            int items = backtracking_items(pattern, pattern_len);
            double steps = pow((double)subject_len + 1.0, (double)(items + 1));
            if (items > 0 && steps > PATTERN_STEP_BUDGET)
                return ludus_raise_violation(L, "pattern '%.40s' is too costly for a subject of %d bytes",
                                             pattern, (int)subject_len);
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

// xpcall(f, handler): after a limit error the handler would run with hooks
// disabled (Lua clears allowhook while a hook raises), so a looping handler
// could never be stopped. Once the limit hook is armed the handler is skipped.
static int guarded_handler(lua_State *L) {
    if (ludus_limit_armed(L)) return 1;  // the error object, unchanged
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int sandbox_xpcall(lua_State *L) {
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int sandbox_print(lua_State *L) {
    ludus_control *c = ludus_ctl(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    size_t len = 0;
    const char *text = lua_tolstring(L, -1, &len);
    if (c->log_fn) c->log_fn(c->host, text, len);
    return 0;
}

// require(name): modules from the environments' library folder only, text only.
static int sandbox_require(lua_State *L) {
    ludus_control *c = ludus_ctl(L);
    const char *name = luaL_checkstring(L, 1);
    const char *module = strncmp(name, "lib.", 4) == 0 ? name + 4 : name;
    size_t len = strlen(module);
    if (len == 0 || len > 100 || module[0] == '.') return ludus_raise_violation(L, "bad module name '%s'", name);
    for (size_t i = 0; i < len; i++) {
        char ch = module[i];
        if (!(isalnum((unsigned char)ch) || ch == '_' || ch == '.') || (ch == '.' && module[i + 1] == '.'))
            return ludus_raise_violation(L, "bad module name '%s'", name);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, "ludus.loaded");
    if (lua_getfield(L, -1, module) != LUA_TNIL) return 1;
    lua_pop(L, 1);
    if (c->library_dir[0] == 0) return luaL_error(L, "module '%s' not found: no library folder", name);
    char relative[160], path[1300];
    snprintf(relative, sizeof relative, "%s.lua", module);
    for (char *p = relative; *p && strcmp(p, ".lua") != 0; p++) if (*p == '.') *p = '/';
    snprintf(path, sizeof path, "%s/%s", c->library_dir, relative);
    FILE *file = fopen(path, "rb");
    if (file == NULL) return luaL_error(L, "module '%s' not found in lib/ (looked for lib/%s)", name, relative);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, file)) > 0) luaL_addlstring(&b, chunk, got);
    fclose(file);
    luaL_pushresult(&b);
    size_t source_len = 0;
    const char *source = lua_tolstring(L, -1, &source_len);
    lua_pushfstring(L, "@lib/%s", relative);
    if (luaL_loadbufferx(L, source, source_len, lua_tostring(L, -1), "t") != LUA_OK) return lua_error(L);
    lua_pushstring(L, module);
    lua_call(L, 1, 1);
    if (lua_isnil(L, -1)) { lua_pop(L, 1); lua_pushboolean(L, 1); }
    lua_pushvalue(L, -1);
    lua_setfield(L, -5, module);  // ludus.loaded[module] = result
    return 1;
}

static void wrap_function(lua_State *L, int table, const char *field, lua_CFunction wrapper, int extra) {
    lua_getfield(L, table, field);
    lua_pushinteger(L, extra);
    lua_pushcclosure(L, wrapper, 2);
    lua_setfield(L, table, field);
}

static void forbid_function(lua_State *L, int table, const char *field, const char *shown) {
    lua_pushstring(L, shown);
    lua_pushcclosure(L, forbidden_function, 1);
    lua_setfield(L, table, field);
}

int ludus_open_sandbox_impl(lua_State *L) {
    ludus_control *c = ludus_ctl(L);
    const char *library_dir = (const char *)lua_touserdata(L, 1);
    if (library_dir != NULL) {
        strncpy(c->library_dir, library_dir, sizeof(c->library_dir) - 1);
    }
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, 1);

    lua_pushglobaltable(L);
    int g = lua_gettop(L);
    const char *removed[] = {"dofile", "loadfile", "collectgarbage", NULL};
    for (int i = 0; removed[i]; i++) forbid_function(L, g, removed[i], removed[i]);
    lua_getfield(L, g, "load");
    lua_pushcclosure(L, sandbox_load, 1);
    lua_setfield(L, g, "load");
    lua_getfield(L, g, "setmetatable");
    lua_pushcclosure(L, sandbox_setmetatable, 1);
    lua_setfield(L, g, "setmetatable");
    lua_getfield(L, g, "xpcall");
    lua_pushcclosure(L, sandbox_xpcall, 1);
    lua_setfield(L, g, "xpcall");
    lua_pushcfunction(L, sandbox_print);
    lua_setfield(L, g, "print");
    lua_pushcfunction(L, sandbox_require);
    lua_setfield(L, g, "require");
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "ludus.loaded");

    lua_getfield(L, g, LUA_STRLIBNAME);
    int s = lua_gettop(L);
    forbid_function(L, s, "dump", "string.dump");
    wrap_function(L, s, "find", guarded_pattern, 1);
    wrap_function(L, s, "match", guarded_pattern, 0);
    wrap_function(L, s, "gmatch", guarded_pattern, 0);
    wrap_function(L, s, "gsub", guarded_pattern, 0);
    lua_pop(L, 1);

    // Lock the string metatable and the globals' metatable.
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    lua_newtable(L);
    lua_pushcfunction(L, forbidden_index);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, g);

    // The rng type: methods are installed by the host (Swift) with ludus_register.
    luaL_newmetatable(L, "ludus.rng");
    lua_newtable(L);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
    c->rng_metatable = lua_topointer(L, -1);
    lua_pop(L, 2);
    ludus_install_rng_clone(L);
    ludus_open_physics2d(L);
    ludus_table_reader_probe(L);
    return 0;
}
