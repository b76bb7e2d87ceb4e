/// How a panel came out of the chain.
public enum PanelStatus: String, Sendable, CaseIterable, Codable {
    case passed, failed, forced, skipped, stale
}

/// One panel after the chain: every stage's result, what was skipped or failed, and the gate's
/// verdict.
public struct PanelOutcome: Sendable, Codable {
    enum StageState: Sendable, Equatable, Codable {
        case done
        case skipped(String)
        /// The reason as people read it, and the failure's kind.
        case failed(String, StageFailure.Kind)
        /// `--dry-run`: the stage would be run (its answer, or an input, is not cached).
        case toRun
    }

    public var results: StageResults
    var stageStates: [StageID: StageState]
    var status: PanelStatus
    /// Why the panel failed (blocker notes, stage failures); empty when it passed.
    var reasons: [String]
    /// A failure that should stop the whole run (a rejected API key).
    var stopsRun: StageFailure?

    /// Model stages a dry run found it would have to call.
    var callsToRun: Int {
        StageRegistry.all.filter { $0.callsModel && stageStates[$0.id] == .toRun }.count
    }
}

/// The stages as a DAG derived from their declared dependencies. Independent stages of a panel run
/// at the same time; a stage whose input was skipped or failed is skipped.
struct PanelChain: Sendable {
    let stages: [any PanelStage]

    static let standard = PanelChain(stages: StageRegistry.all)

    init(stages: [any PanelStage]) {
        let ids = Set(stages.map(\.id))
        for stage in stages {
            precondition(stage.dependencies.isSubset(of: ids), "\(stage.id) depends on a stage that is not in the chain")
        }
        self.stages = stages
        precondition(Self.topologicalOrder(stages) != nil, "the stage dependencies form a cycle")
    }

    static func topologicalOrder(_ stages: [any PanelStage]) -> [StageID]? {
        var order: [StageID] = []
        var remaining = stages
        while !remaining.isEmpty {
            guard let next = remaining.firstIndex(where: { $0.dependencies.isSubset(of: Set(order)) }) else { return nil }
            order.append(remaining.remove(at: next).id)
        }
        return order
    }

    /// The longest chain of dependent model calls: the least wall time a panel can take.
    var criticalPathLength: Int {
        var depth: [StageID: Int] = [:]
        for id in Self.topologicalOrder(stages) ?? [] {
            let stage = stages.first { $0.id == id }!
            depth[id] = (stage.dependencies.map { depth[$0] ?? 0 }.max() ?? 0) + (stage.callsModel ? 1 : 0)
        }
        return depth.values.max() ?? 0
    }

    private enum State {
        case pending, running, done(blocking: String?), skipped(String), failed(StageFailure), toRun
    }

    func run(_ context: StageContext, model: any StageModel) async -> PanelOutcome {
        var states: [StageID: State] = Dictionary(uniqueKeysWithValues: stages.map { ($0.id, State.pending) })
        var results = StageResults()
        var stopsRun: StageFailure?

        await withTaskGroup(of: (StageID, Result<(result: any StageResult, blocking: String?), StageFailure>).self) { group in
            func startReady() {
                var changed = true
                while changed {
                    changed = false
                    for stage in stages {
                        guard case .pending = states[stage.id] else { continue }
                        var waiting = false
                        var blockedBy: String?
                        var unknownInput = false
                        for dependency in stage.dependencies {
                            switch states[dependency]! {
                            case .pending, .running: waiting = true
                            case .done(let blocking): if let blocking, !context.force { blockedBy = blockedBy ?? blocking }
                            case .skipped(let reason): blockedBy = blockedBy ?? reason
                            case .failed(let failure): blockedBy = blockedBy ?? Self.reason(failure)
                            case .toRun: unknownInput = true
                            }
                        }
                        if waiting { continue }
                        // A dry run cannot know what a stage would do with an answer it has not got.
                        if unknownInput {
                            states[stage.id] = .toRun
                            changed = true
                            continue
                        }
                        if let blockedBy, !stage.runsWithSkippedDependencies {
                            states[stage.id] = .skipped(blockedBy)
                            changed = true
                            continue
                        }
                        states[stage.id] = .running
                        let snapshot = results
                        group.addTask {
                            do throws(StageFailure) {
                                return (stage.id, .success(try await stage.runErased(context, snapshot, model)))
                            } catch {
                                return (stage.id, .failure(error))
                            }
                        }
                    }
                }
            }
            startReady()
            for await (id, outcome) in group {
                switch outcome {
                case .success(let output):
                    results.store(output.result, for: id)
                    states[id] = .done(blocking: output.blocking)
                case .failure(let failure) where failure.kind == .notCached:
                    states[id] = .toRun
                case .failure(let failure):
                    states[id] = .failed(failure)
                    if failure.stopsRun { stopsRun = stopsRun ?? failure }
                }
                if stopsRun == nil { startReady() }
            }
        }

        var stageStates: [StageID: PanelOutcome.StageState] = [:]
        var reasons: [String] = []
        for stage in stages {
            switch states[stage.id]! {
            case .done: stageStates[stage.id] = .done
            case .skipped(let reason): stageStates[stage.id] = .skipped(reason)
            case .failed(let failure):
                stageStates[stage.id] = .failed(Self.reason(failure), failure.kind)
                reasons.append(Self.reason(failure))
            case .toRun: stageStates[stage.id] = .toRun
            case .pending, .running: stageStates[stage.id] = .skipped("the run stopped")
            }
        }
        let blockers = results.checklist?.failedBlockers ?? []
        reasons += blockers.map { "\($0.id): \($0.note)" }
        let failures = stageStates.values.compactMap { state -> StageFailure.Kind? in
            if case .failed(_, let kind) = state { return kind } else { return nil }
        }
        let status: PanelStatus
        if failures.contains(.costCap) || stageStates.values.contains(.toRun) {
            status = .skipped
        } else if stopsRun != nil || !failures.isEmpty {
            status = .failed
        } else if results.checklist == nil {
            status = .skipped
        } else if !blockers.isEmpty {
            status = context.force ? .forced : .failed
        } else {
            status = .passed
        }
        return PanelOutcome(results: results, stageStates: stageStates, status: status, reasons: reasons, stopsRun: stopsRun)
    }

    static func reason(_ failure: StageFailure) -> String { "\(failure.stage.rawValue) failed: \(failure.message)" }
}
