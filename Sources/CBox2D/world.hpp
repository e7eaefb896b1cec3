// Private to CBox2D: the world record behind the C handle.
#ifndef CBOX2D_WORLD_HPP
#define CBOX2D_WORLD_HPP

#include "cbox2d.h"
#include <box2d/box2d.h>
#include <cmath>
#include <vector>

/// Records Box2D's begin/end callbacks in order; never calls out.
struct cb2_contact_recorder : public b2ContactListener {
    std::vector<cb2_contact_event> events;
    int dropped = 0;
    void record(b2Contact *contact, int began);
    void BeginContact(b2Contact *contact) override { record(contact, 1); }
    void EndContact(b2Contact *contact) override { record(contact, 0); }
};

/// Box2D's own filtering, plus the contact budget: past CB2_MAX_CONTACTS no pair becomes a contact.
struct cb2_contact_budget : public b2ContactFilter {
    const b2World *world = nullptr;
    int refused = 0;
    bool ShouldCollide(b2Fixture *a, b2Fixture *b) override {
        if (!b2ContactFilter::ShouldCollide(a, b)) return false;
        if (world->GetContactCount() >= CB2_MAX_CONTACTS) {
            refused++;
            return false;
        }
        return true;
    }
};

struct cb2_world {
    b2World world;
    cb2_contact_recorder contacts;
    cb2_contact_budget budget;
    std::vector<b2Body *> bodies;
    std::vector<b2Fixture *> fixtures;
    std::vector<b2RevoluteJoint *> joints;
    int fixture_slots = 0;  // fixtures plus the extra edges of chains

    explicit cb2_world(const b2Vec2 &gravity) : world(gravity) {}
};

/// Whether a number survives the conversion to Box2D's float.
static inline bool cb2_ok(double v) { return std::isfinite(v) && std::isfinite((float)v); }

static inline b2Body *cb2_body(const cb2_world *w, int id) {
    if (w == nullptr || id < 0 || id >= (int)w->bodies.size()) return nullptr;
    return w->bodies[(size_t)id];
}

static inline b2RevoluteJoint *cb2_joint(const cb2_world *w, int id) {
    if (w == nullptr || id < 0 || id >= (int)w->joints.size()) return nullptr;
    return w->joints[(size_t)id];
}

/// Runs `body`, turning any C++ exception (only std::bad_alloc is possible) into an error code.
template <typename F> static inline int cb2_guard(F body) {
    try {
        return body();
    } catch (...) {
        return CB2_ERR_MEMORY;
    }
}

#endif
