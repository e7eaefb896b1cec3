// The `physics2d` host library: Box2D worlds for Lua environments.
//
//   local world = physics2d.world(0, -10)          -- gravity; sleeping allowed
//   local ground = world:body{ type = "static" }
//   ground:edge(-10, 0, 10, 0, { friction = 2.5 })
//   local ball = world:body{ type = "dynamic", x = 0, y = 4 }
//   ball:circle(0.5, { density = 1 })
//   world:step(1/50, 8, 3)
//   local fraction = world:raycast(0, 10, 0, -10, 0x0001)
//   world:destroy()                                 -- or leave it to the collector
//
// See docs/walkers.md for the whole API. Worlds are owned by the host: a `__gc`
// set here (scripts cannot set one) frees the Box2D world with its userdata.
#include "physics2d.h"
#include <math.h>
#include <string.h>

static const char *const error_text[] = {
    "", "bad argument (non-finite number, bad size or degenerate shape)",
    "limit reached", "no such object in this world", "out of memory", "the world is stepping",
};

size_t p2_estimate(const p2_world *w) {
    if (w->w == NULL) return 0;
    size_t objects = (size_t)cb2_body_count(w->w) + (size_t)cb2_fixture_count(w->w) + (size_t)cb2_joint_count(w->w) +
                     (size_t)cb2_contact_count(w->w);
    return P2_COST_WORLD + objects * P2_COST_OBJECT;
}

void p2_account(lua_State *L, p2_world *w, const char *what) {
    ludus_control *c = ludus_ctl(L);
    size_t estimate = p2_estimate(w);
    if (estimate <= w->charged) {
        c->used -= w->charged - estimate;
        w->charged = estimate;
        return;
    }
    size_t more = estimate - w->charged;
    int over = more > c->cap - c->used;
    c->used += more;  // charged even past the cap: the object exists until the world is freed
    w->charged = estimate;
    if (c->used > c->peak) c->peak = c->used;
    if (over) {
        c->memory_denied = 1;
        luaL_error(L, "physics2d: %s: not enough memory (Box2D's %d KiB in this world count against the memory cap)",
                   what, (int)(estimate >> 10));
    }
}

int p2_fail(lua_State *L, int code, const char *what) {
    if (code == CB2_ERR_CONTACTS)
        return luaL_error(L, "physics2d: %s: more than %d contacts (pairs of fixtures whose boxes overlap) in one world",
                          what, CB2_MAX_CONTACTS);
    if (code == CB2_ERR_LIMIT)
        return luaL_error(L, "physics2d: %s: a world holds at most %d bodies, %d fixtures (%d on one moving body) and %d joints",
                          what, CB2_MAX_BODIES, CB2_MAX_FIXTURES, CB2_MAX_BODY_FIXTURES, CB2_MAX_JOINTS);
    int i = -code;
    return luaL_error(L, "physics2d: %s: %s", what, (i > 0 && i <= 5) ? error_text[i] : "failed");
}

double p2_number(lua_State *L, int index) {
    double v = luaL_checknumber(L, index);
    if (!isfinite(v)) luaL_argerror(L, index, "finite number expected");
    return v;
}

void p2_check_keys(lua_State *L, int index, const char *what, const char *const *allowed) {
    index = lua_absindex(L, index);
    lua_pushnil(L);
    while (lua_next(L, index) != 0) {
        lua_pop(L, 1);
        int ok = 0;
        if (lua_type(L, -1) == LUA_TSTRING) {
            const char *key = lua_tostring(L, -1);
            for (int i = 0; allowed[i] != NULL; i++) if (strcmp(key, allowed[i]) == 0) { ok = 1; break; }
        }
        if (!ok) {
            const char *key = luaL_tolstring(L, -1, NULL);
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (int i = 0; allowed[i] != NULL; i++) {
                if (i > 0) luaL_addstring(&b, ", ");
                luaL_addstring(&b, allowed[i]);
            }
            luaL_pushresult(&b);
            luaL_error(L, "physics2d: %s: unknown field '%s' (known: %s)", what, key, lua_tostring(L, -1));
        }
    }
}

double p2_field_number(lua_State *L, int index, const char *name, double fallback) {
    int t = lua_getfield(L, index, name);
    double v = fallback;
    if (t != LUA_TNIL) {
        int isnum = 0;
        v = lua_tonumberx(L, -1, &isnum);
        if (!isnum || !isfinite(v)) luaL_error(L, "physics2d: field '%s' must be a finite number", name);
    }
    lua_pop(L, 1);
    return v;
}

int p2_field_bool(lua_State *L, int index, const char *name, int fallback) {
    int t = lua_getfield(L, index, name);
    int v = fallback;
    if (t != LUA_TNIL) {
        if (t != LUA_TBOOLEAN) luaL_error(L, "physics2d: field '%s' must be a boolean", name);
        v = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

p2_world *p2_check_world(lua_State *L, int index) {
    p2_world *w = (p2_world *)luaL_checkudata(L, index, P2_WORLD);
    if (w->w == NULL) luaL_error(L, "physics2d: the world was destroyed");
    return w;
}

p2_handle *p2_check_handle(lua_State *L, int index, const char *tname) {
    p2_handle *h = (p2_handle *)luaL_checkudata(L, index, tname);
    if (h->world->w == NULL) luaL_error(L, "physics2d: the world of this object was destroyed");
    return h;
}

void p2_push_handle(lua_State *L, int world_index, int id, const char *tname) {
    world_index = lua_absindex(L, world_index);
    p2_handle *h = (p2_handle *)lua_newuserdatauv(L, sizeof(p2_handle), 1);
    h->world = (p2_world *)lua_touserdata(L, world_index);
    h->id = id;
    lua_pushvalue(L, world_index);
    lua_setiuservalue(L, -2, 1);  // the handle keeps its world's userdata alive
    luaL_setmetatable(L, tname);
}

static void free_world(lua_State *L, p2_world *w) {
    if (w->w == NULL) return;
    cb2_world_free(w->w);
    w->w = NULL;
    (*w->live)--;
    ludus_ctl(L)->used -= w->charged;
    w->charged = 0;
}

// physics2d.world(gravity_x, gravity_y [, allow_sleep = true])
static int new_world(lua_State *L) {
    double gx = p2_number(L, 1), gy = p2_number(L, 2);
    int sleep = lua_isnoneornil(L, 3) ? 1 : lua_toboolean(L, 3);
    int *live = (int *)lua_touserdata(L, lua_upvalueindex(1));
    if (*live >= P2_MAX_WORLDS) lua_gc(L, LUA_GCCOLLECT);  // unreachable worlds free their Box2D memory
    if (*live >= P2_MAX_WORLDS)
        return luaL_error(L, "physics2d: at most %d live worlds per Lua state (call world:destroy() on old ones)",
                          P2_MAX_WORLDS);
    p2_world *w = (p2_world *)lua_newuserdatauv(L, sizeof(p2_world), 0);
    w->w = NULL;
    w->live = live;
    w->charged = 0;
    luaL_setmetatable(L, P2_WORLD);  // __gc is set before the world exists: it can never leak
    ludus_control *c = ludus_ctl(L);
    if (P2_COST_WORLD > c->cap - c->used) {
        c->memory_denied = 1;
        return luaL_error(L, "physics2d: world: not enough memory (a world counts %d KiB against the memory cap)",
                          (int)(P2_COST_WORLD >> 10));
    }
    w->w = cb2_world_new(gx, gy, sleep);
    if (w->w == NULL) return luaL_error(L, "physics2d: cannot create a world (out of memory or bad gravity)");
    (*live)++;
    p2_account(L, w, "world");
    return 1;
}

static int world_gc(lua_State *L) {
    free_world(L, (p2_world *)lua_touserdata(L, 1));
    return 0;
}

static int world_destroy(lua_State *L) {
    free_world(L, (p2_world *)luaL_checkudata(L, 1, P2_WORLD));
    return 0;
}

static int world_destroyed(lua_State *L) {
    lua_pushboolean(L, ((p2_world *)luaL_checkudata(L, 1, P2_WORLD))->w == NULL);
    return 1;
}

// world:step(dt, velocity_iterations, position_iterations)
static int world_step(lua_State *L) {
    p2_world *w = p2_check_world(L, 1);
    double dt = p2_number(L, 2);
    lua_Integer vi = luaL_checkinteger(L, 3), pi = luaL_checkinteger(L, 4);
    if (vi < 1 || vi > 1000 || pi < 1 || pi > 1000) return luaL_error(L, "physics2d: step: iterations must be in 1..1000");
    int rc = cb2_world_step(w->w, dt, (int)vi, (int)pi);
    if (rc == CB2_ERR_CONTACTS) {
        p2_account(L, w, "step");
        return p2_fail(L, rc, "step");
    }
    if (rc < 0) return p2_fail(L, rc, "step (dt must be in (0, 10])");
    p2_account(L, w, "step");
    return 0;
}

static int world_counts(lua_State *L) {
    p2_world *w = p2_check_world(L, 1);
    lua_pushinteger(L, cb2_body_count(w->w));
    lua_pushinteger(L, cb2_fixture_count(w->w));
    lua_pushinteger(L, cb2_joint_count(w->w));
    return 3;
}

// world:contact_count() -> events of the last step, events dropped past the buffer
static int world_contact_count(lua_State *L) {
    p2_world *w = p2_check_world(L, 1);
    lua_pushinteger(L, cb2_contact_event_count(w->w));
    lua_pushinteger(L, cb2_contact_events_dropped(w->w));
    return 2;
}

// world:contact(i) -> began, body_a, body_b, fixture_a, fixture_b (ids, as body:id() gives)
static int world_contact(lua_State *L) {
    p2_world *w = p2_check_world(L, 1);
    lua_Integer i = luaL_checkinteger(L, 2);
    int n = cb2_contact_event_count(w->w);
    if (i < 1 || i > n) return luaL_error(L, "physics2d: contact %d: the last step recorded %d events", (int)i, n);
    const cb2_contact_event *e = &cb2_contact_events(w->w)[i - 1];
    lua_pushboolean(L, e->began);
    lua_pushinteger(L, e->body_a);
    lua_pushinteger(L, e->body_b);
    lua_pushinteger(L, e->fixture_a);
    lua_pushinteger(L, e->fixture_b);
    return 5;
}

static uint16_t mask_arg(lua_State *L, int index) {
    if (lua_isnoneornil(L, index)) return 0xFFFF;
    lua_Integer m = luaL_checkinteger(L, index);
    if (m < 0 || m > 0xFFFF) luaL_argerror(L, index, "mask must be in 0..0xFFFF");
    return (uint16_t)m;
}

// world:raycast(x1, y1, x2, y2 [, mask]) -> fraction, x, y, body, fixture, nx, ny
// (fraction 1, the end point and nil ids when nothing matching the mask was hit)
static int world_raycast(lua_State *L) {
    p2_world *w = p2_check_world(L, 1);
    double x1 = p2_number(L, 2), y1 = p2_number(L, 3), x2 = p2_number(L, 4), y2 = p2_number(L, 5);
    cb2_ray_hit hit;
    int rc = cb2_raycast(w->w, x1, y1, x2, y2, mask_arg(L, 6), &hit);
    if (rc < 0) return p2_fail(L, rc, "raycast");
    lua_pushnumber(L, hit.fraction);
    lua_pushnumber(L, hit.x);
    lua_pushnumber(L, hit.y);
    if (hit.body >= 0) { lua_pushinteger(L, hit.body); lua_pushinteger(L, hit.fixture); }
    else { lua_pushnil(L); lua_pushnil(L); }
    lua_pushnumber(L, hit.nx);
    lua_pushnumber(L, hit.ny);
    return 7;
}

#define P2_MAX_FAN 64

// world:raycast_fan(x, y, dx, dy, mask, out [, offset = 0]) -> n
// Casts rays from (x, y) to (x + dx[i], y + dy[i]) and writes each closest-hit
// fraction (1 = no hit) into out[offset + i]: a whole lidar in one host call.
static int world_raycast_fan(lua_State *L) {
    p2_world *w = p2_check_world(L, 1);
    double x = p2_number(L, 2), y = p2_number(L, 3);
    luaL_checktype(L, 4, LUA_TTABLE);
    luaL_checktype(L, 5, LUA_TTABLE);
    uint16_t mask = mask_arg(L, 6);
    luaL_checktype(L, 7, LUA_TTABLE);
    lua_Integer offset = luaL_optinteger(L, 8, 0);
    lua_Unsigned n = lua_rawlen(L, 4);
    if (n != lua_rawlen(L, 5) || n > P2_MAX_FAN)
        return luaL_error(L, "physics2d: raycast_fan: dx and dy must be lists of the same length (at most %d)", P2_MAX_FAN);
    double dx[P2_MAX_FAN], dy[P2_MAX_FAN], out[P2_MAX_FAN];
    for (lua_Unsigned i = 0; i < n; i++) {
        lua_rawgeti(L, 4, (lua_Integer)i + 1);
        lua_rawgeti(L, 5, (lua_Integer)i + 1);
        int okx = 0, oky = 0;
        dx[i] = lua_tonumberx(L, -2, &okx);
        dy[i] = lua_tonumberx(L, -1, &oky);
        lua_pop(L, 2);
        if (!okx || !oky) return luaL_error(L, "physics2d: raycast_fan: dx[%d] and dy[%d] must be numbers", (int)i + 1, (int)i + 1);
    }
    int rc = cb2_raycast_fan(w->w, x, y, dx, dy, (int)n, mask, out);
    if (rc < 0) return p2_fail(L, rc, "raycast_fan");
    for (lua_Unsigned i = 0; i < n; i++) {
        lua_pushnumber(L, out[i]);
        lua_rawseti(L, 7, offset + (lua_Integer)i + 1);
    }
    lua_pushinteger(L, (lua_Integer)n);
    return 1;
}

int p2_world_body(lua_State *L);
int p2_world_revolute(lua_State *L);

static const luaL_Reg world_methods[] = {
    {"body", p2_world_body},
    {"revolute_joint", p2_world_revolute},
    {"step", world_step},
    {"counts", world_counts},
    {"contact_count", world_contact_count},
    {"contact", world_contact},
    {"raycast", world_raycast},
    {"raycast_fan", world_raycast_fan},
    {"destroy", world_destroy},
    {"destroyed", world_destroyed},
    {NULL, NULL},
};

/// Creates a locked metatable `tname` with `methods` as its __index.
void p2_new_type(lua_State *L, const char *tname, const luaL_Reg *methods) {
    luaL_newmetatable(L, tname);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
}

/// Installs the global `physics2d` (runs inside the protected sandbox setup).
void ludus_open_physics2d(lua_State *L) {
    p2_new_type(L, P2_WORLD, world_methods);
    lua_pushcfunction(L, world_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    p2_open_body(L);
    p2_open_joint(L);

    lua_newtable(L);
    int *live = (int *)lua_newuserdatauv(L, sizeof(int), 0);
    *live = 0;
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "ludus.physics2d.live");  // keeps the counter alive
    lua_pushcclosure(L, new_world, 1);
    lua_setfield(L, -2, "world");
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, CB2_MAX_BODIES); lua_setfield(L, -2, "bodies");
    lua_pushinteger(L, CB2_MAX_FIXTURES); lua_setfield(L, -2, "fixtures");
    lua_pushinteger(L, CB2_MAX_BODY_FIXTURES); lua_setfield(L, -2, "body_fixtures");
    lua_pushinteger(L, CB2_MAX_JOINTS); lua_setfield(L, -2, "joints");
    lua_pushinteger(L, P2_MAX_WORLDS); lua_setfield(L, -2, "worlds");
    lua_pushinteger(L, CB2_MAX_CONTACTS); lua_setfield(L, -2, "contacts");
    lua_setfield(L, -2, "limits");
    lua_setglobal(L, "physics2d");
}
