// CBox2D: a thin C API over Box2D 2.4.1 (Debian `libbox2d-dev`).
//
// Why a shim: Box2D is C++, and neither C++ exceptions nor Lua's longjmp may cross
// the other's frames or a Swift frame. Every function here is `extern "C"`, never
// throws and never calls back into Lua or Swift: errors come back as negative codes,
// contact events and ray hits are recorded into buffers the caller reads afterwards.
//
// Objects are addressed by small integer ids (indices in creation order), so a
// caller never holds a raw Box2D pointer. Bodies, fixtures and joints live until
// the world is freed; a world holds at most CB2_MAX_BODIES bodies, CB2_MAX_FIXTURES
// fixtures (a chain counts one per edge) and CB2_MAX_JOINTS joints, because their
// memory is not seen by the Lua allocator's cap.
#ifndef CBOX2D_H
#define CBOX2D_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CB2_MAX_BODIES 2048
#define CB2_MAX_FIXTURES 2048
/// Fixtures one moving (dynamic or kinematic) body may hold: Box2D walks a body's whole
/// contact list for every new pair, so two bodies of 1,024 overlapping circles made one step
/// take 40 s (static bodies, such as terrain, never collide with each other and are not capped).
#define CB2_MAX_BODY_FIXTURES 64
#define CB2_MAX_JOINTS 512
#define CB2_MAX_POLYGON_VERTICES 8
#define CB2_MAX_CONTACT_EVENTS 4096
/// Contacts (pairs of fixtures whose boxes overlap) a world may hold: each costs memory and
/// solver time inside one uninterruptible step. Past it, new pairs are not made and the step
/// reports CB2_ERR_CONTACTS (2,048 overlapping circles made 2 million: 1 GB, 8-33 s a step).
#define CB2_MAX_CONTACTS 4096

/// Error codes (all negative); ids are >= 0.
enum {
    CB2_ERR_BAD_ARGUMENT = -1,  ///< a non-finite number, a bad size or a degenerate shape
    CB2_ERR_LIMIT = -2,         ///< the world holds the maximum number of bodies, fixtures or joints
    CB2_ERR_NO_OBJECT = -3,     ///< an id that names no body or joint of this world
    CB2_ERR_MEMORY = -4,        ///< allocation failed
    CB2_ERR_LOCKED = -5,        ///< called while the world is stepping (cannot happen from Lua)
    CB2_ERR_CONTACTS = -6,      ///< the step needed more than CB2_MAX_CONTACTS contacts (it completed without them)
};

enum { CB2_STATIC = 0, CB2_KINEMATIC = 1, CB2_DYNAMIC = 2 };

typedef struct cb2_world cb2_world;

typedef struct {
    double density, friction, restitution;
    uint16_t category, mask;
    int16_t group;
    int sensor;
} cb2_fixture_props;

/// Box2D's defaults: density 0, friction 0.2, restitution 0, category 1, mask 0xFFFF.
cb2_fixture_props cb2_default_fixture(void);

typedef struct {
    int type;  ///< CB2_STATIC, CB2_KINEMATIC or CB2_DYNAMIC
    double x, y, angle;
    double linear_damping, angular_damping;
    int fixed_rotation, bullet;
} cb2_body_def;

cb2_body_def cb2_default_body(void);

typedef struct {
    int body_a, body_b;
    double anchor_ax, anchor_ay;  ///< in body A's frame
    double anchor_bx, anchor_by;  ///< in body B's frame
    double reference_angle;
    int enable_limit;
    double lower, upper;
    int enable_motor;
    double motor_speed, max_motor_torque;
    int collide_connected;
} cb2_revolute_def;

cb2_revolute_def cb2_default_revolute(void);

/// A begin or end of touching between two fixtures, in the order Box2D reported them.
typedef struct {
    int began;  ///< 1 = begin, 0 = end
    int fixture_a, fixture_b;
    int body_a, body_b;
} cb2_contact_event;

typedef struct {
    double fraction;  ///< 1 when nothing was hit
    double x, y;      ///< hit point (the ray's end when nothing was hit)
    double nx, ny;    ///< surface normal (0, 0 when nothing was hit)
    int body, fixture;  ///< -1 when nothing was hit
} cb2_ray_hit;

/// A new world, or NULL when out of memory or given a non-finite gravity.
cb2_world *cb2_world_new(double gravity_x, double gravity_y, int allow_sleep);
void cb2_world_free(cb2_world *world);

int cb2_body_count(const cb2_world *world);
int cb2_fixture_count(const cb2_world *world);
int cb2_joint_count(const cb2_world *world);
/// Contacts the world holds now (at most CB2_MAX_CONTACTS).
int cb2_contact_count(const cb2_world *world);

/// Advances the world; contact events of this step replace the previous ones.
int cb2_world_step(cb2_world *world, double dt, int velocity_iterations, int position_iterations);
int cb2_contact_event_count(const cb2_world *world);
/// Events dropped in the last step because more than CB2_MAX_CONTACT_EVENTS happened.
int cb2_contact_events_dropped(const cb2_world *world);
const cb2_contact_event *cb2_contact_events(const cb2_world *world);

/// Returns a body id or an error code.
int cb2_body_new(cb2_world *world, const cb2_body_def *def);
/// Fixtures: return a fixture id or an error code. `xy` holds x1, y1, x2, y2, ...
int cb2_add_polygon(cb2_world *world, int body, const double *xy, int count, const cb2_fixture_props *props);
int cb2_add_box(cb2_world *world, int body, double half_w, double half_h, double cx, double cy, double angle,
                const cb2_fixture_props *props);
int cb2_add_circle(cb2_world *world, int body, double cx, double cy, double radius, const cb2_fixture_props *props);
int cb2_add_edge(cb2_world *world, int body, double x1, double y1, double x2, double y2, const cb2_fixture_props *props);
int cb2_add_chain(cb2_world *world, int body, const double *xy, int count, int loop, const cb2_fixture_props *props);

/// x, y, angle, vx, vy, angular velocity of a body's origin.
int cb2_body_state(const cb2_world *world, int body, double out[6]);
int cb2_body_mass(const cb2_world *world, int body, double *mass, double *inertia);
int cb2_body_category(const cb2_world *world, int body);
int cb2_body_apply_force(cb2_world *world, int body, double fx, double fy, int at_center, double px, double py, int wake);
int cb2_body_apply_impulse(cb2_world *world, int body, double ix, double iy, int at_center, double px, double py, int wake);
int cb2_body_apply_torque(cb2_world *world, int body, double torque, int wake);
int cb2_body_set_transform(cb2_world *world, int body, double x, double y, double angle);
int cb2_body_set_velocity(cb2_world *world, int body, double vx, double vy, double angular);
int cb2_body_awake(const cb2_world *world, int body);

/// Returns a joint id or an error code.
int cb2_revolute_new(cb2_world *world, const cb2_revolute_def *def);
int cb2_joint_set_motor(cb2_world *world, int joint, double speed, double max_torque);
int cb2_joint_enable_motor(cb2_world *world, int joint, int enable);
int cb2_joint_set_limits(cb2_world *world, int joint, int enable, double lower, double upper);
/// Joint angle (body B minus body A minus the reference angle) and speed.
int cb2_joint_state(const cb2_world *world, int joint, double out[2]);
int cb2_joint_motor_torque(const cb2_world *world, int joint, double inverse_dt, double *torque);

/// Closest hit along p1 -> p2 among fixtures whose category shares a bit with `mask`.
int cb2_raycast(const cb2_world *world, double x1, double y1, double x2, double y2, uint16_t mask, cb2_ray_hit *hit);
/// `count` rays from (x, y) to (x + dx[i], y + dy[i]); writes each closest fraction (1 = no hit).
int cb2_raycast_fan(const cb2_world *world, double x, double y, const double *dx, const double *dy, int count,
                    uint16_t mask, double *fractions);

#ifdef __cplusplus
}
#endif
#endif
