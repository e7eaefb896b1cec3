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
// Every start position may walk the whole pattern, so a pattern of P bytes costs up to
// (subject + 1) x P steps even without quantifiers: `('a'):rep(1e5):find(('%a'):rep(2e4) .. 'b')`
// (2e9) took 22 s. About 3 ns a step: 5e7 is about 0.15 s.
#define PATTERN_SCAN_BUDGET 5e7
// With a quantifier, each of the (subject + 1)^2 (start, length) choices walks the rest:
// `('a'):rep(1000):find('a-' .. ('a'):rep(2000) .. 'b')` (2e9) took 0.57 s.
#define PATTERN_BACKTRACK_SCAN_BUDGET 2e9
// A pattern without specials (or find's plain flag) is a memcmp at each start: about 0.01 ns a byte.
#define PLAIN_FIND_BUDGET 2e10

/// The longest line `print` hands to the host log; longer ones end with "… [truncated N bytes]".
#define LUDUS_PRINT_MAX_BYTES 65536
/// What `print` may log during one host call (reset, step...); past it, one marker line and
/// nothing more until the next call.
#define LUDUS_PRINT_CALL_BUDGET (1 << 20)

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

// Lua's own test (lstrlib.c): find with such a pattern is a plain search.
static int no_specials(const char *p, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (strchr("^$*+?.([%-", p[i]) != NULL) return 0;
    return 1;
}

// string.find / match / gmatch / gsub, refusing calls whose worst case would run for long
// inside one C call, where no hook can stop them. O(pattern length) per call.
static int guarded_pattern(lua_State *L) {
    size_t subject_len = 0, pattern_len = 0;
    if (lua_type(L, 1) == LUA_TSTRING && lua_type(L, 2) == LUA_TSTRING) {
        lua_tolstring(L, 1, &subject_len);
        const char *pattern = lua_tolstring(L, 2, &pattern_len);
        int is_find = lua_tointeger(L, lua_upvalueindex(2)) == 1;
        int plain = is_find && (lua_toboolean(L, 4) || no_specials(pattern, pattern_len));
        double subject = (double)subject_len + 1.0, length = (double)pattern_len;
        if (plain) {
            if (subject * length > PLAIN_FIND_BUDGET)
                return ludus_raise_violation(L, "plain search for %d bytes is too costly in a subject of %d bytes",
                                             (int)pattern_len, (int)subject_len);
        } else {
            int items = backtracking_items(pattern, pattern_len);
            double steps = pow(subject, (double)(items + 1));
            if (items > 0 && steps > PATTERN_STEP_BUDGET)
                return ludus_raise_violation(L, "pattern '%.40s' is too costly for a subject of %d bytes",
                                             pattern, (int)subject_len);
            double scan = items > 0 ? subject * subject * length : subject * length;
            if (scan > (items > 0 ? PATTERN_BACKTRACK_SCAN_BUDGET : PATTERN_SCAN_BUDGET))
                return ludus_raise_violation(L, "pattern of %d bytes ('%.20s...') is too costly for a subject of %d bytes",
                                             (int)pattern_len, pattern, (int)subject_len);
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

// print(...): one log line of at most LUDUS_PRINT_MAX_BYTES; the rest is counted, not copied,
// so a 60 MB string never becomes a 60 MB host string.
static int sandbox_print(lua_State *L) {
    ludus_control *c = ludus_ctl(L);
    if (c->print_silenced) return 0;
    if (c->printed >= LUDUS_PRINT_CALL_BUDGET) {
        static const char marker[] = "\xE2\x80\xA6 [print output past 1 MiB in one call dropped until the next call]";
        c->print_silenced = 1;
        if (c->log_fn) c->log_fn(c->host, marker, sizeof marker - 1);
        return 0;
    }
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    size_t kept = 0, dropped = 0;
    for (int i = 1; i <= n; i++) {
        if (i > 1) {
            if (kept < LUDUS_PRINT_MAX_BYTES) { luaL_addchar(&b, '\t'); kept++; } else dropped++;
        }
        size_t len = 0;
        const char *part = luaL_tolstring(L, i, &len);  // on top: what luaL_addvalue takes
        size_t room = LUDUS_PRINT_MAX_BYTES - kept;
        if (len <= room) {
            luaL_addvalue(&b);
            kept += len;
            continue;
        }
        size_t take = room;
        while (take > 0 && ((unsigned char)part[take] & 0xC0) == 0x80) take--;  // whole UTF-8 characters
        lua_pushlstring(L, part, take);
        lua_remove(L, -2);
        luaL_addvalue(&b);
        dropped += len - take;
        kept = LUDUS_PRINT_MAX_BYTES;
    }
    if (dropped > 0) {
        char marker[64];
        snprintf(marker, sizeof marker, "\xE2\x80\xA6 [truncated %zu bytes]", dropped);
        luaL_addstring(&b, marker);
    }
    luaL_pushresult(&b);
    size_t len = 0;
    const char *text = lua_tolstring(L, -1, &len);
    c->printed += len;
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
    // A symlink (or a linked folder) inside lib/ must not lead out of it: open the
    // resolved path, and only when it lies inside the resolved library folder.
    char *real = realpath(path, NULL);
    if (real == NULL) return luaL_error(L, "module '%s' not found in lib/ (looked for lib/%s)", name, relative);
    size_t root_len = strlen(c->library_real);
    int inside = root_len > 0 && strncmp(real, c->library_real, root_len) == 0 && real[root_len] == '/';
    if (!inside) {
        free(real);
        return ludus_raise_violation(L, "require '%s': lib/%s resolves outside the library folder (a symlink?)",
                                     name, relative);
    }
    FILE *file = fopen(real, "rb");
    free(real);
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

// string.rep(s, n [, sep]) with s and sep empty copies nothing n times: `(''):rep(math.maxinteger)`
// would loop for centuries in one C call. Any other result is bounded by the memory cap.
static int guarded_rep(lua_State *L) {
    size_t len = 0, sep_len = 0;
    luaL_checklstring(L, 1, &len);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &sep_len);
    if (len + sep_len == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    (void)n;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

// Long library loops made interruptible: the work is the same, but it goes through Lua code
// the limit hook sees. `table.sort` without a comparator on a large (or metatable'd) table uses
// a Lua `<` (8 million numbers took 4.5 s in one C call); `table.move` moves in chunks
// (`table.move({}, 1, 1e15, 1, {})` allocates nothing and would loop for days).
static const char interruptible_source[] =
    "local sort, move, rawlen, getmetatable, type, tointeger = ...\n"
    "local SORT_DIRECT, CHUNK, MAXINT = 1024, 65536, math.maxinteger\n"
    "local function less(a, b) return a < b end\n"
    "local function guarded_sort(t, comp)\n"
    "  if comp == nil and type(t) == 'table' and (rawlen(t) > SORT_DIRECT or getmetatable(t) ~= nil) then\n"
    "    comp = less\n"
    "  end\n"
    "  sort(t, comp)\n"
    "end\n"
    "local function guarded_move(a1, f0, e0, t0, a2)\n"
    "  local f, e, t = tointeger(f0), tointeger(e0), tointeger(t0)\n"
    "  if f == nil or e == nil or t == nil or e < f or e - f < CHUNK or t > MAXINT - (e - f) then\n"
    "    f, e, t = f0, e0, t0\n"
    "    return (move(a1, f, e, t, a2))\n"  // short, empty or invalid: the original (and its errors)
    "  end\n"
    "  local dest = a2\n"
    "  if dest == nil then dest = a1 end\n"
    "  if t > e or t <= f or (a2 ~= nil and a1 ~= a2) then\n"
    "    local i = f\n"
    "    while true do\n"
    "      local j = (e - i >= CHUNK) and i + CHUNK - 1 or e\n"
    "      move(a1, i, j, t + (i - f), dest)\n"
    "      if j == e then break end\n"
    "      i = j + 1\n"
    "    end\n"
    "  else\n"
    "    local j = e\n"
    "    while true do\n"
    "      local i = (j - f >= CHUNK) and j - CHUNK + 1 or f\n"
    "      move(a1, i, j, t + (i - f), dest)\n"
    "      if i == f then break end\n"
    "      j = i - 1\n"
    "    end\n"
    "  end\n"
    "  return dest\n"
    "end\n"
    "return guarded_sort, guarded_move\n";

static void install_interruptible(lua_State *L, int globals) {
    if (luaL_loadbufferx(L, interruptible_source, sizeof interruptible_source - 1, "=sandbox", "t") != LUA_OK)
        lua_error(L);
    lua_getfield(L, globals, LUA_TABLIBNAME);
    int t = lua_gettop(L);
    lua_getfield(L, t, "sort");
    lua_getfield(L, t, "move");
    lua_getfield(L, globals, "rawlen");
    lua_getfield(L, globals, "getmetatable");
    lua_getfield(L, globals, "type");
    lua_getfield(L, globals, LUA_MATHLIBNAME);
    lua_getfield(L, -1, "tointeger");
    lua_remove(L, -2);
    lua_pushvalue(L, t - 1);
    lua_insert(L, t + 1);  // the chunk above its six arguments
    lua_remove(L, t - 1);
    lua_call(L, 6, 2);
    lua_setfield(L, t - 1, "move");
    lua_setfield(L, t - 1, "sort");
    lua_pop(L, 1);
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
        char *real = realpath(library_dir, NULL);  // require compares resolved paths against it
        if (real != NULL && strlen(real) < sizeof(c->library_real)) strcpy(c->library_real, real);
        free(real);
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
    wrap_function(L, s, "rep", guarded_rep, 0);
    lua_pop(L, 1);
    install_interruptible(L, g);

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
