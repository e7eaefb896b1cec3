// The world: creation, stepping, and the contact events recorded during a step.
#include "world.hpp"
#include <new>

void cb2_contact_recorder::record(b2Contact *contact, int began) {
    if ((int)events.size() >= CB2_MAX_CONTACT_EVENTS) {
        dropped++;
        return;
    }
    b2Fixture *a = contact->GetFixtureA();
    b2Fixture *b = contact->GetFixtureB();
    cb2_contact_event e;
    e.began = began;
    e.fixture_a = (int)a->GetUserData().pointer - 1;
    e.fixture_b = (int)b->GetUserData().pointer - 1;
    e.body_a = (int)a->GetBody()->GetUserData().pointer - 1;
    e.body_b = (int)b->GetBody()->GetUserData().pointer - 1;
    try {
        events.push_back(e);  // capacity is reserved up front: cannot allocate here
    } catch (...) {
        dropped++;
    }
}

extern "C" cb2_world *cb2_world_new(double gravity_x, double gravity_y, int allow_sleep) {
    if (!cb2_ok(gravity_x) || !cb2_ok(gravity_y)) return nullptr;
    try {
        cb2_world *w = new cb2_world(b2Vec2((float)gravity_x, (float)gravity_y));
        w->contacts.events.reserve(CB2_MAX_CONTACT_EVENTS);
        w->world.SetContactListener(&w->contacts);
        w->budget.world = &w->world;
        w->world.SetContactFilter(&w->budget);
        w->world.SetAllowSleeping(allow_sleep != 0);
        return w;
    } catch (...) {
        return nullptr;
    }
}

extern "C" void cb2_world_free(cb2_world *world) {
    if (world == nullptr) return;
    world->world.SetContactListener(nullptr);  // destroying bodies reports no events
    delete world;
}

extern "C" int cb2_body_count(const cb2_world *w) { return w ? (int)w->bodies.size() : 0; }
extern "C" int cb2_fixture_count(const cb2_world *w) { return w ? w->fixture_slots : 0; }
extern "C" int cb2_joint_count(const cb2_world *w) { return w ? (int)w->joints.size() : 0; }

extern "C" int cb2_world_step(cb2_world *w, double dt, int velocity_iterations, int position_iterations) {
    if (w == nullptr) return CB2_ERR_NO_OBJECT;
    if (!cb2_ok(dt) || dt <= 0 || dt > 10) return CB2_ERR_BAD_ARGUMENT;
    if (velocity_iterations < 1 || velocity_iterations > 1000) return CB2_ERR_BAD_ARGUMENT;
    if (position_iterations < 1 || position_iterations > 1000) return CB2_ERR_BAD_ARGUMENT;
    if (w->world.IsLocked()) return CB2_ERR_LOCKED;
    w->contacts.events.clear();
    w->contacts.dropped = 0;
    w->budget.refused = 0;
    w->world.Step((float)dt, velocity_iterations, position_iterations);
    return w->budget.refused > 0 ? CB2_ERR_CONTACTS : 0;
}

extern "C" int cb2_contact_count(const cb2_world *w) { return w ? (int)w->world.GetContactCount() : 0; }

extern "C" int cb2_contact_event_count(const cb2_world *w) { return w ? (int)w->contacts.events.size() : 0; }
extern "C" int cb2_contact_events_dropped(const cb2_world *w) { return w ? w->contacts.dropped : 0; }
extern "C" const cb2_contact_event *cb2_contact_events(const cb2_world *w) {
    return w ? w->contacts.events.data() : nullptr;
}
