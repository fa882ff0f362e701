import HistoryStore
import Publisher

extension PreparedBatch {
    /// The batch with each event's payload as its commit stored it: `stream_seq`, given inside
    /// the commit's transaction, right after `seq` (or the bytes an earlier attempt of this
    /// batch stored). The first publication is then byte for byte what a replay sends.
    func numbered(by result: HistoryWriter.CommitResult) -> PreparedBatch {
        var batch = self
        for index in batch.events.indices {
            batch.events[index].payload = result.payload(at: index, rendered: batch.events[index].payload)
        }
        return batch
    }
}
