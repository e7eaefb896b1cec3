// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Ludus",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ludus", targets: ["ludus"]),
        .library(name: "Ludus", targets: ["Ludus"]),
        .library(name: "LudusCore", targets: ["LudusCore"]),
        // The C ABI the Python package loads (python/ludus/_ludus.h documents it).
        .library(name: "ludus_c", type: .dynamic, targets: ["LudusCABI"]),
        .plugin(name: "CheckEnvironments", targets: ["CheckEnvironments"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries from Debian (see Makefile: `make deps`). Lua links the package's
        // static archive (see Sources/CLua/module.modulemap): pkg-config would name the shared one.
        .systemLibrary(name: "CLua", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Box2D (Debian `libbox2d-dev`) behind an `extern "C"` API that never throws,
        // raises or calls back: the only C++ in Ludus.
        .target(name: "CBox2D", linkerSettings: [.linkedLibrary("box2d")]),
        // The only C we write: trampolines, protected helpers, allocator, hooks, watchdog,
        // and the `physics2d` Lua bindings over CBox2D.
        .target(name: "CLuaShim", dependencies: ["CLua", "CBox2D"]),
        // The pure-Swift core: values, spaces, actions, steps, outcomes, seed streams and the
        // `Environment` protocol. Knows nothing of Lua; the C ABI and Python package sit on it.
        .target(name: "LudusCore"),
        // The one module that owns `lua_State` (plus a thin Swift wrapper over CBox2D).
        .target(name: "LudusLua", dependencies: ["LudusCore", "CLua", "CLuaShim", "CBox2D"]),
        // Loops (the episode driver and its plug-ins), agents, teachers, checker, storage:
        // they take `any Environment`; `LuaEnvironment` adapts a script to it.
        .target(
            name: "Ludus",
            dependencies: [
                "LudusCore",
                "LudusLua",
                "CBLAS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API under GRDB: the tournament writer's prepared inserts (Storage/RawInsert.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            // The chart runtime `ludus report` inlines (generated, pinned: docs/report.md).
            resources: [.copy("Report/Vendor/vega")]
        ),
        // `@_cdecl` functions over the loops: opaque handles, statuses and messages, no error
        // ever crossing; batches of environments stepped on Swift threads into caller buffers.
        .target(name: "LudusCABI", dependencies: ["Ludus", "LudusCore", "LudusLua", "CLuaShim"],
                linkerSettings: [.linkedLibrary("lua5.4")]),
        .executableTarget(
            name: "ludus",
            dependencies: [
                "Ludus",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/LudusCLI",
            linkerSettings: [.linkedLibrary(":liblua5.4.a")]
        ),
        .plugin(
            name: "CheckEnvironments",
            capability: .command(
                intent: .custom(verb: "check-environments", description: "Run `ludus check` over Environments/")
            ),
            dependencies: ["ludus"]
        ),
        .testTarget(name: "LudusTests", dependencies: ["Ludus", "LudusCore", "LudusLua"],
                    linkerSettings: [.linkedLibrary(":liblua5.4.a")]),
    ],
    cxxLanguageStandard: .cxx17
)
