// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Ludus",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ludus", targets: ["ludus"]),
        .library(name: "Ludus", targets: ["Ludus"]),
        .plugin(name: "CheckEnvironments", targets: ["CheckEnvironments"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries from Debian (see Makefile: `make deps`).
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // The only C we write: trampolines, protected helpers, allocator, hooks, watchdog.
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        // The one module that owns `lua_State`.
        .target(name: "LudusLua", dependencies: ["CLua", "CLuaShim"]),
        // Environment contract, spaces, agents, runner, checker: no Lua types here.
        .target(
            name: "Ludus",
            dependencies: [
                "LudusLua",
                "CBLAS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "ludus",
            dependencies: [
                "Ludus",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/LudusCLI"
        ),
        .plugin(
            name: "CheckEnvironments",
            capability: .command(
                intent: .custom(verb: "check-environments", description: "Run `ludus check` over Environments/")
            ),
            dependencies: ["ludus"]
        ),
        .testTarget(name: "LudusTests", dependencies: ["Ludus", "LudusLua"]),
    ]
)
