import ArgumentParser
struct Check: ParsableCommand { func run() throws {} }
struct Bench: ParsableCommand { func run() throws {} }
struct Play: ParsableCommand { func run() throws {} }
