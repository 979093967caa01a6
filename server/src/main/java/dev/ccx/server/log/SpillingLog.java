// SPDX-License-Identifier: Apache-2.0
package dev.ccx.server.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ExecutionLog} that keeps the newest frames in memory and the older ones in spill files.
 *
 * <p>Frames {@code [oldest, memFirst)} are on disk, in batches (one write each) inside segments (files);
 * {@code [memFirst, next)} are in memory, in a ring. Past {@code memoryBytes} in memory, the disk thread moves the
 * oldest half of the memory out to a file. Past twice that (the disk thread is behind, or the disk limits are
 * reached) the log has no room and the producer waits. The disk limits are the per-log {@code maxBytes} and the
 * store's total; when a spill would pass them, whole segments that every cursor has read are deleted first.
 *
 * <p>Locking: one {@link ReentrantLock} guards the bookkeeping. It is held for memory operations only: file
 * writes, reads and deletes happen outside it, and so does every call to a cursor's sink or wake-up.
 */
final class SpillingLog implements ExecutionLog {
    private static final Logger LOG = LoggerFactory.getLogger(SpillingLog.class);
    /** Accounted per frame in memory on top of its bytes: the array header and the ring slot. */
    private static final int FRAME_OVERHEAD = 24;
    /** What a log keeps in memory while all logs together are over their memory budget. */
    static final long SHARE_BYTES = 64 * 1024;
    /** What an ended log keeps in memory while it is retained; more goes to disk, so retained logs cost little. */
    static final long ENDED_MEMORY_BYTES = 8 * 1024;

    private final String id;
    private final LogStore store;
    /** Keep every frame the limits allow, waiting for the disk if need be (a kept execution's log). */
    private final boolean keepAll;
    private final long softBytes;
    private final long hardBytes;
    private final long maxDiskBytes;
    private final long segmentBytes;
    /** Bytes of frames written at most per spill: a batch always fits in a segment, and in the per-log limit. */
    private final int maxBatchBytes;
    private final ReentrantLock lock = new ReentrantLock();

    private byte[][] ring = new byte[64][];
    private int head;
    private int count;
    private long memFirst = 1;
    private long next = 1;
    private volatile long memBytes;

    private long oldest = 1;
    private final List<Batch> batches = new ArrayList<>();
    private final List<Segment> segments = new ArrayList<>();
    private int segmentsMade;
    private long diskBytes;
    private boolean diskBlocked;
    /** Counts drops of frames from memory, so a spill that was under way while frames went knows it. */
    private long dropped;
    private boolean diskWarned;
    private boolean spillQueued;

    private boolean ended;
    /** What this ended log added to the store's retained count (-1 before it was counted); under the lock. */
    private long retainedCounted = -1;
    private boolean discarded;
    private boolean released;
    private boolean closed;
    private final List<CursorImpl> cursors = new ArrayList<>();
    private volatile CursorImpl[] wakeList = new CursorImpl[0];
    private final List<Runnable> roomWaiters = new ArrayList<>();

    /** Frames {@code [firstSeq, firstSeq + count)}, {@code length} bytes at {@code offset} of {@code segment}. */
    private record Batch(long firstSeq, int count, Segment segment, long offset, int length) {
        long endSeq() {
            return firstSeq + count;
        }
    }

    SpillingLog(String id, LogStore store, LogStore.Limits limits, boolean keepAll, long firstSeq) {
        this.id = id;
        this.memFirst = firstSeq;
        this.next = firstSeq;
        this.oldest = firstSeq;
        this.store = store;
        this.keepAll = keepAll;
        this.softBytes = limits.memoryBytes();
        this.hardBytes = 2 * limits.memoryBytes();
        this.maxDiskBytes = limits.maxBytes();
        this.segmentBytes = Math.max(limits.memoryBytes(), Math.min(64L << 20, limits.maxBytes() / 4));
        this.maxBatchBytes = (int) Math.min(limits.memoryBytes() / 2, segmentBytes);
    }

    String id() {
        return id;
    }

    @Override
    public long append(FrameEncoder encoder) {
        return append(encoder, null);
    }

    @Override
    public long append(FrameEncoder encoder, Cursor holdFor) {
        long seq;
        boolean spill = false;
        lock.lock();
        try {
            if (ended) {
                throw new IllegalStateException("log " + id + " has ended; nothing may follow its last frame");
            }
            if (closed) {
                return next++; // the server is stopping: nobody will read it
            }
            seq = next;
            byte[] frame = encoder.encode(seq);
            if (count == ring.length) {
                grow();
            }
            ring[(head + count) % ring.length] = frame;
            count++;
            next++;
            memBytes += frame.length + FRAME_OVERHEAD;
            store.addMemory(frame.length + FRAME_OVERHEAD);
            if (holdFor instanceof CursorImpl c && !c.closed) {
                c.holdAt(seq);
            }
            if (overMemory() && !spillQueued && !closed) {
                spillQueued = true;
                spill = true;
            }
        } finally {
            lock.unlock();
        }
        if (spill) {
            store.submit(this::spill);
        }
        return seq;
    }

    @Override
    public void publish() {
        for (CursorImpl c : wakeList) {
            c.onAppend.run();
        }
    }

    @Override
    public boolean hasRoom() {
        if (roomNow()) {
            return true;
        }
        if (keepAll) {
            return false; // a kept execution's follower may come back for any of it: wait for the disk
        }
        lock.lock();
        try {
            letReadFramesGo();
        } finally {
            lock.unlock();
        }
        return roomNow();
    }

    private boolean roomNow() {
        return memBytes < hardBytes && !(memBytes > SHARE_BYTES && store.memoryOver(2));
    }

    /**
     * The memory is full and the disk thread is behind, in a log that need not keep everything: frames that every
     * cursor has read go now, from the old end (whatever of them is on disk too), rather than the producer waiting
     * for the disk thread to store output only a later replay might want. Under the lock.
     */
    private void letReadFramesGo() {
        long read = readByAll();
        if (closed || read <= memFirst) {
            return; // nothing in memory that everyone has read (and then the disk holds unread frames)
        }
        if (!segments.isEmpty()) {
            List<Segment> gone = List.copyOf(segments);
            for (Segment seg : gone) {
                store.unreserve(seg.size);
            }
            segments.clear();
            batches.clear();
            diskBytes = 0;
            store.submit(() -> deleteNow(gone));
        }
        dropped++; // a spill in flight now writes frames that are gone: it is let go too
        long target = memBytes >= hardBytes ? softBytes / 2 : SHARE_BYTES / 2;
        int n = 0;
        long left = memBytes;
        while (n < count && memFirst + n < read && left > target) {
            left -= memoryFrame(memFirst + n).length + FRAME_OVERHEAD;
            n++;
        }
        removeFromMemory(n);
        oldest = memFirst;
    }

    /**
     * Whether this log should move frames to disk: past its own bound, or its share when all logs are over, or,
     * once it has ended, past the little an ended log keeps in memory while it is retained for replay.
     */
    private boolean overMemory() {
        return memBytes > softBytes || (memBytes > SHARE_BYTES && store.memoryOver(1))
                || (ended && memBytes > ENDED_MEMORY_BYTES);
    }

    /** How much memory a spill leaves: half the bound, or half the share, or nothing for an ended log. */
    private long memoryTarget() {
        return ended ? 0 : memBytes > softBytes ? softBytes / 2 : SHARE_BYTES / 2;
    }

    @Override
    public void whenRoom(Runnable task) {
        boolean waiting;
        lock.lock();
        try {
            waiting = !hasRoom() && !closed;
            if (waiting) {
                roomWaiters.add(task);
                store.waitForRoom(this);
            }
        } finally {
            lock.unlock();
        }
        if (!waiting) {
            task.run();
        } else if (hasRoom()) {
            lookForRoom(); // room came from another log between the check and the registration
        }
    }

    /** Runs the producers waiting for room if there is room now (the logs together may have let go of memory). */
    void lookForRoom() {
        List<Runnable> room;
        boolean stillWaiting;
        lock.lock();
        try {
            room = takeRoomWaiters();
            stillWaiting = !roomWaiters.isEmpty();
            if (stillWaiting) {
                store.waitForRoom(this);
            }
        } finally {
            lock.unlock();
        }
        room.forEach(Runnable::run);
        if (stillWaiting && hasRoom()) {
            lookForRoom(); // another log let go of memory between the check and the registration, and saw nobody
        }
    }

    @Override
    public void end() {
        boolean spill;
        lock.lock();
        try {
            ended = true;
            spill = overMemory() && !spillQueued && !closed;
            spillQueued |= spill;
        } finally {
            lock.unlock();
        }
        publish();
        store.ended(this);
        // Retained for replay: the output waits on disk, not in memory, and the files hold no descriptor.
        store.submit(spill ? this::spill : this::closeWriters);
    }

    @Override
    public void discard() {
        boolean release;
        lock.lock();
        try {
            discarded = true;
            release = cursors.isEmpty() && !released;
            released |= release;
        } finally {
            lock.unlock();
        }
        if (release) {
            store.release(this);
        }
    }

    /** Whether the log may be dropped to make disk room for live ones: ended, followed by nobody, not gone yet. */
    boolean reclaimable() {
        lock.lock();
        try {
            return ended && cursors.isEmpty() && !closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Cursor open(long fromSeq, Runnable onAppend, boolean held) {
        lock.lock();
        try {
            boolean gone = released || closed || discarded;
            if (gone || fromSeq < oldest || fromSeq > next) {
                throw new LogPositionException(fromSeq, gone ? next : oldest, next, gone);
            }
            CursorImpl c = new CursorImpl(fromSeq, onAppend, held);
            cursors.add(c);
            wakeList = cursors.toArray(CursorImpl[]::new);
            return c;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long nextSeq() {
        lock.lock();
        try {
            return next;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long oldestSeq() {
        lock.lock();
        try {
            return oldest;
        } finally {
            lock.unlock();
        }
    }

    /** The bookkeeping, for a report of a process held back too long. */
    @Override
    public String toString() {
        lock.lock();
        try {
            StringBuilder b = new StringBuilder("{id=").append(id).append(", frames ").append(oldest).append('-')
                    .append(next - 1).append(", in memory from ").append(memFirst).append(" (").append(memBytes)
                    .append(" B), on disk ").append(diskBytes).append(" B in ").append(segments.size())
                    .append(" file(s), spill queued ").append(spillQueued).append(", disk blocked ").append(diskBlocked)
                    .append(", waiting for room ").append(roomWaiters.size()).append(", all logs in memory ")
                    .append(store.memoryBytes()).append(" B, cursors [");
            for (CursorImpl c : cursors) {
                b.append(" at ").append(c.position);
                for (Hold h : c.holds) {
                    b.append(" hold@").append(h.at).append(h.prelude == null ? "(open)" : "(released)");
                }
            }
            return b.append(" ], ended ").append(ended).append('}').toString();
        } finally {
            lock.unlock();
        }
    }

    private void grow() {
        byte[][] bigger = new byte[ring.length * 2][];
        for (int i = 0; i < count; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }

    private byte[] memoryFrame(long seq) {
        return ring[(int) ((head + (seq - memFirst)) % ring.length)];
    }

    /** The batch holding {@code seq}, which is on disk; under the lock. */
    private Batch batchOf(long seq) {
        int lo = 0;
        int hi = batches.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (batches.get(mid).firstSeq() <= seq) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return batches.get(lo);
    }

    // ---- the disk thread ----------------------------------------------------------------------------------------

    void retrySpill() {
        lock.lock();
        try {
            if (spillQueued || closed) {
                return;
            }
            spillQueued = true;
        } finally {
            lock.unlock();
        }
        store.submit(this::spill);
    }

    /**
     * Moves the oldest frames in memory to disk, one batch of at most {@link #maxBatchBytes}; runs on the store's
     * disk thread only. When the disk limits leave no room even after the segments every cursor has read are
     * deleted, and the disk holds nothing anyone still needs, a batch that every cursor has read is dropped instead
     * of written: what no follower needs does not hold back the process.
     */
    private void spill() {
        List<Segment> trimmed = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        long first;
        int bytes = 0;
        Segment last;
        long epoch;
        List<Runnable> room = List.of();
        boolean reclaim = false;
        lock.lock();
        try {
            spillQueued = false;
            epoch = dropped;
            if (closed) {
                return;
            }
            if (diskBlocked) {
                trimRead(trimmed);
            }
            if (!overMemory()) {
                diskBlocked = false;
                room = takeRoomWaiters();
                return;
            }
            first = memFirst;
            long keep = memBytes;
            long target = memoryTarget();
            for (int i = 0; i < count && (frames.isEmpty() || (keep > target && bytes < maxBatchBytes)); i++) {
                byte[] f = memoryFrame(first + i);
                frames.add(f);
                bytes += 4 + f.length;
                keep -= f.length + FRAME_OVERHEAD;
            }
            if (!reserve(bytes)) {
                trimRead(trimmed);
                if (!reserve(bytes)) {
                    if (segments.isEmpty() && first + frames.size() <= readByAll()) {
                        room = drop(frames.size());
                        return;
                    }
                    diskBlocked = true;
                    store.waitForDisk(this);
                    reclaim = true;
                    return;
                }
            }
            diskBlocked = false;
            last = segments.isEmpty() ? null : segments.getLast();
        } finally {
            lock.unlock();
            deleteNow(trimmed);
            room.forEach(Runnable::run);
            if (reclaim) {
                store.reclaim(this); // retained logs of ended executions give way to live output
            }
        }
        Segment target = last;
        Segment created = null;
        long offset;
        try {
            if (target == null || target.size + bytes > segmentBytes) {
                created = store.newSegment(id, segmentsMade++);
                target = created;
            }
            offset = target.size;
            ByteBuffer data = ByteBuffer.allocate(bytes);
            for (byte[] f : frames) {
                data.putInt(f.length).put(f);
            }
            target.write(data.flip(), offset);
        } catch (IOException e) {
            store.unreserve(bytes);
            if (created != null) {
                created.delete();
            }
            spillFailed(e);
            return;
        }
        committed(first, frames.size(), bytes, target, created != null, offset, epoch);
    }

    /** The lowest position of any cursor: every frame before it has been read by all (all of them, without any). */
    private long readByAll() {
        long needed = next;
        for (CursorImpl c : cursors) {
            needed = Math.min(needed, c.position);
        }
        return needed;
    }

    /**
     * Forgets the {@code n} oldest frames in memory (the disk is empty, so they are the oldest held), and returns
     * the producers to wake when that made room; under the lock.
     */
    private List<Runnable> drop(int n) {
        removeFromMemory(n);
        oldest = memFirst;
        if (overMemory() && !spillQueued) {
            spillQueued = true;
            store.submit(this::spill);
        }
        return takeRoomWaiters();
    }

    private void removeFromMemory(int n) {
        long freed = 0;
        for (int i = 0; i < n; i++) {
            freed += ring[head].length + FRAME_OVERHEAD;
            ring[head] = null;
            head = (head + 1) % ring.length;
        }
        memBytes -= freed;
        store.addMemory(-freed);
        count -= n;
        memFirst += n;
    }

    private List<Runnable> takeRoomWaiters() {
        if (roomWaiters.isEmpty() || !hasRoom()) {
            return List.of();
        }
        List<Runnable> room = List.copyOf(roomWaiters);
        roomWaiters.clear();
        return room;
    }

    /** Takes {@code bytes} of this log's and the store's disk limits, if both have them; under the lock. */
    private boolean reserve(int bytes) {
        return diskBytes + bytes <= maxDiskBytes && store.reserve(bytes);
    }

    /** Frames {@code [first, first + n)} are now on disk: drop them from memory; runs on the disk thread. */
    private void committed(long first, int n, int bytes, Segment segment, boolean newSegment, long offset,
                           long epoch) {
        List<Runnable> room = List.of();
        boolean again = false;
        boolean done;
        lock.lock();
        try {
            if (closed || epoch != dropped) {
                // Closed, or the frames went while they were written: the batch is not kept. A new segment goes
                // with it; an old one has gone with the frames already.
                store.unreserve(bytes);
                if (newSegment) {
                    segment.delete();
                }
            } else {
                if (newSegment) {
                    segments.add(segment);
                }
                batches.add(new Batch(first, n, segment, offset, bytes));
                segment.size += bytes;
                diskBytes += bytes;
                removeFromMemory(n);
            }
            if (!closed && overMemory()) {
                spillQueued = true;
                again = true;
            }
            done = ended && !again;
            room = takeRoomWaiters();
        } finally {
            lock.unlock();
        }
        room.forEach(Runnable::run);
        if (again) {
            store.submit(this::spill);
        } else if (done) {
            closeWriters();
        }
    }

    /**
     * An ended log writes no more: its files are closed for writing, and the retained logs are held to their
     * budget. On the disk thread.
     */
    private void closeWriters() {
        List<Segment> files;
        long counted;
        lock.lock();
        try {
            files = List.copyOf(segments);
            counted = closed || retainedCounted >= 0 ? 0 : diskBytes;
            if (!closed && retainedCounted < 0) {
                retainedCounted = diskBytes;
            }
        } finally {
            lock.unlock();
        }
        files.forEach(Segment::closeWriter);
        store.trimRetained(counted);
    }

    /** A spill file could not be written: the log holds what it has (and stops its producer at the hard limit). */
    private void spillFailed(IOException e) {
        lock.lock();
        try {
            diskBlocked = true;
            if (!diskWarned) {
                diskWarned = true;
                LOG.warn("log {}: cannot write spill file ({}); its process is held back once its memory is full",
                        id, e.toString());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves whole segments that every cursor has read off the old end into {@code gone}, returning their budget;
     * under the lock. The caller deletes the files, outside it.
     */
    private void trimRead(List<Segment> gone) {
        long needed = readByAll();
        while (!segments.isEmpty()) {
            Segment s = segments.getFirst();
            long end = oldest;
            int n = 0;
            while (n < batches.size() && batches.get(n).segment() == s) {
                end = batches.get(n).endSeq();
                n++;
            }
            if (end > needed) {
                break;
            }
            batches.subList(0, n).clear();
            segments.removeFirst();
            diskBytes -= s.size;
            store.unreserve(s.size);
            oldest = end;
            gone.add(s);
        }
    }

    private static void deleteNow(List<Segment> segments) {
        segments.forEach(Segment::delete);
    }

    /** Drops memory and files; runs on the disk thread (or at server stop). Producers waiting for room go on. */
    void close() {
        List<Segment> files;
        List<Runnable> room;
        long bytes;
        long retained;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            released = true;
            files = List.copyOf(segments);
            bytes = diskBytes;
            retained = Math.max(retainedCounted, 0);
            segments.clear();
            batches.clear();
            ring = new byte[0][];
            count = 0;
            store.addMemory(-memBytes);
            memBytes = 0;
            diskBytes = 0;
            room = List.copyOf(roomWaiters);
            roomWaiters.clear();
            for (CursorImpl c : cursors) {
                c.closed = true;
            }
            cursors.clear();
            wakeList = new CursorImpl[0];
        } finally {
            lock.unlock();
        }
        deleteNow(files);
        store.unreserve(bytes);
        store.unretain(retained);
        room.forEach(Runnable::run);
    }

    // ---- cursors ------------------------------------------------------------------------------------------------

    /** A frame a cursor may not pass until its prelude is released. */
    private static final class Hold {
        final long at;
        byte[] prelude;

        Hold(long at, byte[] prelude) {
            this.at = at;
            this.prelude = prelude;
        }
    }

    private final class CursorImpl implements Cursor {
        final Runnable onAppend;
        /** The next frame to hand out; changed only by the reading thread, under the lock. */
        long position;
        /** Holds in order of their frames; each is released in the order it was set. Under the lock. */
        final ArrayDeque<Hold> holds = new ArrayDeque<>(2);
        boolean closed;
        private Batch cachedBatch;
        private byte[][] cachedFrames;

        CursorImpl(long position, Runnable onAppend, boolean held) {
            this.position = position;
            this.onAppend = onAppend;
            if (held) {
                holds.add(new Hold(position, null));
            }
        }

        void holdAt(long seq) {
            holds.addLast(new Hold(seq, null));
        }

        /** The first frame this cursor may not hand out yet; under the lock. */
        private long limit() {
            return holds.isEmpty() ? next : Math.min(next, holds.peekFirst().at);
        }

        @Override
        public long position() {
            lock.lock();
            try {
                return position;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Progress read(int maxBytes, Consumer<byte[]> sink) {
            List<byte[]> preludes = new ArrayList<>(1);
            List<byte[]> frames = new ArrayList<>();
            Batch disk = null;
            long from;
            long limit;
            lock.lock();
            try {
                if (closed) {
                    return Progress.END;
                }
                from = position;
                while (!holds.isEmpty() && holds.peekFirst().at <= from && holds.peekFirst().prelude != null) {
                    preludes.add(holds.pollFirst().prelude);
                }
                limit = limit();
                if (from < memFirst && from < limit) {
                    disk = batchOf(from);
                } else {
                    int taken = 0;
                    for (long seq = from; seq < limit && (frames.isEmpty() || taken < maxBytes); seq++) {
                        byte[] f = memoryFrame(seq);
                        frames.add(f);
                        taken += f.length;
                    }
                }
            } finally {
                lock.unlock();
            }
            preludes.forEach(sink);
            long at = from;
            if (disk != null) {
                byte[][] batch = framesOf(disk);
                int taken = 0;
                for (int i = (int) (from - disk.firstSeq()); i < batch.length && at < limit
                        && (at == from || taken < maxBytes); i++) {
                    sink.accept(batch[i]);
                    taken += batch[i].length;
                    at++;
                }
            } else {
                cachedBatch = null; // past the disk: let the batch go
                cachedFrames = null;
                for (byte[] f : frames) {
                    sink.accept(f);
                    at++;
                }
            }
            return advance(at);
        }

        private Progress advance(long to) {
            Progress progress;
            boolean retry;
            List<Runnable> room;
            lock.lock();
            try {
                if (closed) {
                    return Progress.END;
                }
                position = to;
                retry = diskBlocked && !spillQueued;
                room = takeRoomWaiters(); // what was read may go now
                Hold first = holds.peekFirst();
                if (to < limit() || (first != null && first.at <= to && first.prelude != null)) {
                    progress = Progress.MORE;
                } else {
                    progress = ended && to == next && holds.isEmpty() ? Progress.END : Progress.WAIT;
                }
            } finally {
                lock.unlock();
            }
            room.forEach(Runnable::run);
            if (retry) {
                retrySpill(); // this follower moved on: segments it has read may go now
            }
            return progress;
        }

        /** The frames of a batch on disk, read once and kept while this cursor walks through them. */
        private byte[][] framesOf(Batch batch) {
            if (batch.equals(cachedBatch)) {
                return cachedFrames;
            }
            ByteBuffer data;
            try {
                data = batch.segment().read(batch.offset(), batch.length());
            } catch (IOException e) {
                throw new UncheckedIOException("log " + id + ": cannot read back frames " + batch.firstSeq() + "-"
                        + (batch.endSeq() - 1), e);
            }
            byte[][] frames = new byte[batch.count()][];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = new byte[data.getInt()];
                data.get(frames[i]);
            }
            cachedBatch = batch;
            cachedFrames = frames;
            return frames;
        }

        @Override
        public void release(byte[] prelude) {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                Hold open = null;
                for (Hold h : holds) {
                    if (h.prelude == null) {
                        open = h;
                        break;
                    }
                }
                if (open != null) {
                    open.prelude = prelude;
                } else {
                    long at = holds.isEmpty() ? position : Math.max(position, holds.peekLast().at);
                    holds.addLast(new Hold(at, prelude));
                }
            } finally {
                lock.unlock();
            }
            onAppend.run();
        }

        @Override
        public void close() {
            closeWithPreludes();
        }

        @Override
        public List<byte[]> closeWithPreludes() {
            List<byte[]> preludes = new ArrayList<>(1);
            boolean release;
            boolean retry;
            lock.lock();
            try {
                if (closed) {
                    return preludes;
                }
                closed = true;
                for (Hold h : holds) {
                    if (h.prelude != null) {
                        preludes.add(h.prelude);
                    }
                }
                cursors.remove(this);
                wakeList = cursors.toArray(CursorImpl[]::new);
                release = discarded && cursors.isEmpty() && !released;
                released |= release;
                retry = diskBlocked && !spillQueued && !release;
            } finally {
                lock.unlock();
            }
            if (release) {
                store.release(SpillingLog.this);
            } else if (retry) {
                retrySpill();
            }
            return preludes;
        }
    }
}
