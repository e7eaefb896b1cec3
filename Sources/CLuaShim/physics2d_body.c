// physics2d bodies: creation from a definition table, fixtures, state reads, forces.
#include "physics2d.h"
#include <string.h>

static const char *const body_keys[] = {
    "type", "x", "y", "angle", "linear_damping", "angular_damping", "fixed_rotation", "bullet", NULL};
static const char *const fixture_keys[] = {
    "density", "friction", "restitution", "category", "mask", "group", "sensor", NULL};

// world:body{type = "static"|"kinematic"|"dynamic", x, y, angle, linear_damping,
//            angular_damping, fixed_rotation, bullet} -> body
int p2_world_body(lua_State *L) {
    p2_world *w = p2_check_world(L, 1);
    cb2_body_def d = cb2_default_body();
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        p2_check_keys(L, 2, "world:body{...}", body_keys);
        if (lua_getfield(L, 2, "type") != LUA_TNIL) {
            const char *type = lua_tostring(L, -1);
            if (type != NULL && strcmp(type, "static") == 0) d.type = CB2_STATIC;
            else if (type != NULL && strcmp(type, "kinematic") == 0) d.type = CB2_KINEMATIC;
            else if (type != NULL && strcmp(type, "dynamic") == 0) d.type = CB2_DYNAMIC;
            else return luaL_error(L, "physics2d: world:body{type = ...} must be \"static\", \"kinematic\" or \"dynamic\"");
        }
        lua_pop(L, 1);
        d.x = p2_field_number(L, 2, "x", 0);
        d.y = p2_field_number(L, 2, "y", 0);
        d.angle = p2_field_number(L, 2, "angle", 0);
        d.linear_damping = p2_field_number(L, 2, "linear_damping", 0);
        d.angular_damping = p2_field_number(L, 2, "angular_damping", 0);
        d.fixed_rotation = p2_field_bool(L, 2, "fixed_rotation", 0);
        d.bullet = p2_field_bool(L, 2, "bullet", 0);
    }
    int id = cb2_body_new(w->w, &d);
    if (id < 0) return p2_fail(L, id, "world:body");
    p2_account(L, w, "world:body");
    p2_push_handle(L, 1, id, P2_BODY);
    return 1;
}

static p2_handle *body(lua_State *L) { return p2_check_handle(L, 1, P2_BODY); }

/// Reads fixture properties {density, friction, restitution, category, mask, group, sensor}.
static cb2_fixture_props props(lua_State *L, int index) {
    cb2_fixture_props p = cb2_default_fixture();
    if (lua_isnoneornil(L, index)) return p;
    luaL_checktype(L, index, LUA_TTABLE);
    p2_check_keys(L, index, "fixture properties", fixture_keys);
    p.density = p2_field_number(L, index, "density", p.density);
    p.friction = p2_field_number(L, index, "friction", p.friction);
    p.restitution = p2_field_number(L, index, "restitution", p.restitution);
    double category = p2_field_number(L, index, "category", p.category);
    double mask = p2_field_number(L, index, "mask", p.mask);
    double group = p2_field_number(L, index, "group", p.group);
    if (category < 0 || category > 0xFFFF || mask < 0 || mask > 0xFFFF || group < -32768 || group > 32767)
        luaL_error(L, "physics2d: category and mask must be in 0..0xFFFF, group in -32768..32767");
    p.category = (uint16_t)category;
    p.mask = (uint16_t)mask;
    p.group = (int16_t)group;
    p.sensor = p2_field_bool(L, index, "sensor", 0);
    return p;
}

/// Reads vertices as a flat list {x1, y1, x2, y2, ...} or a list of pairs {{x1, y1}, ...}.
static int vertices(lua_State *L, int index, double *xy, int max_points, const char *what) {
    luaL_checktype(L, index, LUA_TTABLE);
    lua_Unsigned n = lua_rawlen(L, index);
    int pairs = n > 0 && lua_rawgeti(L, index, 1) == LUA_TTABLE;
    lua_pop(L, 1);
    lua_Unsigned points = pairs ? n : n / 2;
    if ((!pairs && n % 2 != 0) || points > (lua_Unsigned)max_points)
        return luaL_error(L, "physics2d: %s: vertices must be {x1, y1, x2, y2, ...} or {{x1, y1}, ...} with at most %d points",
                          what, max_points);
    for (lua_Unsigned i = 0; i < points; i++) {
        int okx = 0, oky = 0;
        if (pairs) {
            if (lua_rawgeti(L, index, (lua_Integer)i + 1) != LUA_TTABLE)
                return luaL_error(L, "physics2d: %s: vertex %d is not a {x, y} pair", what, (int)i + 1);
            lua_rawgeti(L, -1, 1);
            lua_rawgeti(L, -2, 2);
            xy[2 * i] = lua_tonumberx(L, -2, &okx);
            xy[2 * i + 1] = lua_tonumberx(L, -1, &oky);
            lua_pop(L, 3);
        } else {
            lua_rawgeti(L, index, (lua_Integer)(2 * i + 1));
            lua_rawgeti(L, index, (lua_Integer)(2 * i + 2));
            xy[2 * i] = lua_tonumberx(L, -2, &okx);
            xy[2 * i + 1] = lua_tonumberx(L, -1, &oky);
            lua_pop(L, 2);
        }
        if (!okx || !oky) return luaL_error(L, "physics2d: %s: vertex %d has a non-number coordinate", what, (int)i + 1);
    }
    return (int)points;
}

static int fixture_result(lua_State *L, int rc, const char *what) {
    if (rc < 0) return p2_fail(L, rc, what);
    p2_account(L, ((p2_handle *)lua_touserdata(L, 1))->world, what);  // the body was checked at 1
    lua_pushinteger(L, rc);
    return 1;
}

// body:polygon(vertices, props) -> fixture id  (convex, 3..8 points, any winding)
static int body_polygon(lua_State *L) {
    p2_handle *b = body(L);
    double xy[2 * CB2_MAX_POLYGON_VERTICES];
    int n = vertices(L, 2, xy, CB2_MAX_POLYGON_VERTICES, "body:polygon");
    cb2_fixture_props p = props(L, 3);
    if (n < 3) return luaL_error(L, "physics2d: body:polygon: needs 3 to %d vertices", CB2_MAX_POLYGON_VERTICES);
    return fixture_result(L, cb2_add_polygon(b->world->w, b->id, xy, n, &p), "body:polygon (must be convex, not degenerate)");
}

// body:box(half_width, half_height [, props [, cx, cy, angle]]) -> fixture id
static int body_box(lua_State *L) {
    p2_handle *b = body(L);
    double hw = p2_number(L, 2), hh = p2_number(L, 3);
    cb2_fixture_props p = props(L, 4);
    double cx = luaL_optnumber(L, 5, 0), cy = luaL_optnumber(L, 6, 0), angle = luaL_optnumber(L, 7, 0);
    return fixture_result(L, cb2_add_box(b->world->w, b->id, hw, hh, cx, cy, angle, &p), "body:box");
}

// body:circle(radius [, props [, cx, cy]]) -> fixture id
static int body_circle(lua_State *L) {
    p2_handle *b = body(L);
    double r = p2_number(L, 2);
    cb2_fixture_props p = props(L, 3);
    double cx = luaL_optnumber(L, 4, 0), cy = luaL_optnumber(L, 5, 0);
    return fixture_result(L, cb2_add_circle(b->world->w, b->id, cx, cy, r, &p), "body:circle");
}

// body:edge(x1, y1, x2, y2 [, props]) -> fixture id
static int body_edge(lua_State *L) {
    p2_handle *b = body(L);
    double x1 = p2_number(L, 2), y1 = p2_number(L, 3), x2 = p2_number(L, 4), y2 = p2_number(L, 5);
    cb2_fixture_props p = props(L, 6);
    return fixture_result(L, cb2_add_edge(b->world->w, b->id, x1, y1, x2, y2, &p), "body:edge");
}

// body:chain(vertices [, props [, loop]]) -> fixture id (counts one fixture per edge)
static int body_chain(lua_State *L) {
    p2_handle *b = body(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Unsigned n = lua_rawlen(L, 2);
    if (n > 2 * CB2_MAX_FIXTURES) return p2_fail(L, CB2_ERR_LIMIT, "body:chain");
    double *xy = (double *)lua_newuserdatauv(L, (size_t)(n + 2) * 2 * sizeof(double), 0);  // collected later
    int points = vertices(L, 2, xy, (int)n + 1, "body:chain");
    cb2_fixture_props p = props(L, 3);
    int loop = lua_toboolean(L, 4);
    return fixture_result(L, cb2_add_chain(b->world->w, b->id, xy, points, loop, &p), "body:chain");
}

static int body_id(lua_State *L) { lua_pushinteger(L, body(L)->id); return 1; }

static void state(lua_State *L, double out[6]) {
    p2_handle *b = body(L);
    int rc = cb2_body_state(b->world->w, b->id, out);
    if (rc < 0) p2_fail(L, rc, "body");
}

static int body_position(lua_State *L) {
    double s[6]; state(L, s);
    lua_pushnumber(L, s[0]); lua_pushnumber(L, s[1]);
    return 2;
}
static int body_angle(lua_State *L) { double s[6]; state(L, s); lua_pushnumber(L, s[2]); return 1; }
static int body_velocity(lua_State *L) {
    double s[6]; state(L, s);
    lua_pushnumber(L, s[3]); lua_pushnumber(L, s[4]);
    return 2;
}
static int body_angular_velocity(lua_State *L) { double s[6]; state(L, s); lua_pushnumber(L, s[5]); return 1; }

// body:state() -> x, y, angle, vx, vy, angular velocity (one call for a whole read)
static int body_state(lua_State *L) {
    double s[6]; state(L, s);
    for (int i = 0; i < 6; i++) lua_pushnumber(L, s[i]);
    return 6;
}

static int body_mass(lua_State *L) {
    p2_handle *b = body(L);
    double mass = 0, inertia = 0;
    cb2_body_mass(b->world->w, b->id, &mass, &inertia);
    lua_pushnumber(L, mass);
    lua_pushnumber(L, inertia);
    return 2;
}

static int body_awake(lua_State *L) {
    p2_handle *b = body(L);
    lua_pushboolean(L, cb2_body_awake(b->world->w, b->id) == 1);
    return 1;
}

// body:apply_force(fx, fy [, px, py]): at the centre of mass, or at a world point; wakes the body.
static int body_apply_force(lua_State *L) {
    p2_handle *b = body(L);
    double fx = p2_number(L, 2), fy = p2_number(L, 3);
    int center = lua_isnoneornil(L, 4);
    double px = center ? 0 : p2_number(L, 4), py = center ? 0 : p2_number(L, 5);
    int rc = cb2_body_apply_force(b->world->w, b->id, fx, fy, center, px, py, 1);
    if (rc < 0) return p2_fail(L, rc, "body:apply_force");
    return 0;
}

static int body_apply_impulse(lua_State *L) {
    p2_handle *b = body(L);
    double ix = p2_number(L, 2), iy = p2_number(L, 3);
    int center = lua_isnoneornil(L, 4);
    double px = center ? 0 : p2_number(L, 4), py = center ? 0 : p2_number(L, 5);
    int rc = cb2_body_apply_impulse(b->world->w, b->id, ix, iy, center, px, py, 1);
    if (rc < 0) return p2_fail(L, rc, "body:apply_impulse");
    return 0;
}

static int body_apply_torque(lua_State *L) {
    p2_handle *b = body(L);
    int rc = cb2_body_apply_torque(b->world->w, b->id, p2_number(L, 2), 1);
    if (rc < 0) return p2_fail(L, rc, "body:apply_torque");
    return 0;
}

static int body_set_transform(lua_State *L) {
    p2_handle *b = body(L);
    int rc = cb2_body_set_transform(b->world->w, b->id, p2_number(L, 2), p2_number(L, 3), luaL_optnumber(L, 4, 0));
    if (rc < 0) return p2_fail(L, rc, "body:set_transform");
    return 0;
}

static int body_set_velocity(lua_State *L) {
    p2_handle *b = body(L);
    int rc = cb2_body_set_velocity(b->world->w, b->id, p2_number(L, 2), p2_number(L, 3), luaL_optnumber(L, 4, 0));
    if (rc < 0) return p2_fail(L, rc, "body:set_velocity");
    return 0;
}

static const luaL_Reg body_methods[] = {
    {"id", body_id},
    {"polygon", body_polygon},
    {"box", body_box},
    {"circle", body_circle},
    {"edge", body_edge},
    {"chain", body_chain},
    {"position", body_position},
    {"angle", body_angle},
    {"velocity", body_velocity},
    {"angular_velocity", body_angular_velocity},
    {"state", body_state},
    {"mass", body_mass},
    {"awake", body_awake},
    {"apply_force", body_apply_force},
    {"apply_impulse", body_apply_impulse},
    {"apply_torque", body_apply_torque},
    {"set_transform", body_set_transform},
    {"set_velocity", body_set_velocity},
    {NULL, NULL},
};

void p2_new_type(lua_State *L, const char *tname, const luaL_Reg *methods);

void p2_open_body(lua_State *L) {
    p2_new_type(L, P2_BODY, body_methods);
    lua_pop(L, 1);
}
