package index

import (
	"context"
	"fmt"
	"testing"
)

// fakeRemote is a remote index in memory; after killAfter upserts (0:
// never) the next one panics, as if the process were killed mid-sync,
// which a real server cannot make happen on demand.
type fakeRemote struct {
	docs      map[string]string // article -> hash
	upserts   int               // articles written
	calls     int               // requests
	killAfter int
}

func (f *fakeRemote) Search(context.Context, string, []float32, int) ([]PassageRef, error) {
	return nil, nil
}

func (f *fakeRemote) Upsert(_ context.Context, articles []RemoteArticle) error {
	f.calls++
	for _, a := range articles {
		f.upserts++
		if f.killAfter > 0 && f.upserts > f.killAfter {
			panic("killed")
		}
		f.docs[a.Doc] = a.Hash
	}
	return nil
}

func (f *fakeRemote) Delete(_ context.Context, doc string) error {
	delete(f.docs, doc)
	return nil
}

// A sync sends many articles to a request and reports its progress, and
// one cut short (the process killed) resumes from what it recorded: the
// articles written before the last record are not written again.
func TestSyncRemoteResumes(t *testing.T) {
	f := newFixture(t)
	const n = syncSaveEvery + 205
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("%04d.txt", i)] = article(fmt.Sprintf("第%d号项目", i))
	}
	writeCorpus(t, f.corpus, files)
	if _, err := f.ingest(t); err != nil {
		t.Fatal(err)
	}
	remote := &fakeRemote{docs: map[string]string{}, killAfter: syncSaveEvery + 100}
	func() {
		defer func() { recover() }()
		SyncRemote(context.Background(), f.data, remote, f.emb, f.chunker, nil)
		t.Fatal("the sync was not cut short")
	}()
	remote.killAfter, remote.upserts = 0, 0
	var last, total int
	rep, err := SyncRemote(context.Background(), f.data, remote, f.emb, f.chunker, func(done, all int) { last, total = done, all })
	if err != nil {
		t.Fatal(err)
	}
	if last != n || total != n {
		t.Errorf("progress ended at %d of %d, want %d of %d", last, total, n, n)
	}
	if len(remote.docs) != n || remote.upserts > n-syncSaveEvery || len(rep.Upserted) != remote.upserts {
		t.Errorf("resumed sync wrote %d articles (%d reported); the remote holds %d of %d", remote.upserts, len(rep.Upserted), len(remote.docs), n)
	}
	if remote.calls*10 > remote.upserts {
		t.Errorf("%d articles in %d requests: articles are not sent together", remote.upserts, remote.calls)
	}
}
