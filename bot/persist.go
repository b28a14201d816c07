package bot

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/qabot/qabot/rag"
)

// diskState is what the bot keeps across restarts, in a bbolt file: each
// chat's recent turns and last question (for follow-ups and /retry), the
// sources behind recent answers (for their buttons), each user's recent
// questions (for the rate limit), and each chat's collection (kept until
// switched). Records older than the retention are not
// loaded, and are deleted when the file is opened.
type diskState struct {
	db  *bolt.DB
	ttl time.Duration
}

var (
	chatsBucket   = []byte("chats")
	answersBucket = []byte("answers")
	askedBucket   = []byte("asked")
)

// chatRecord is a chat's conversation as stored.
type chatRecord struct {
	Turns []rag.Turn `json:"turns"`
	Last  string     `json:"last"` // the last question asked, for /retry
	At    time.Time  `json:"at"`
}

// askedRecord is when a user asked in the last minute.
type askedRecord struct {
	Times []time.Time `json:"times"`
	At    time.Time   `json:"at"`
}

// answerRecord is what a source button needs of an answer.
type answerRecord struct {
	Sources []rag.Source `json:"sources"`
	At      time.Time    `json:"at"`
}

// openState opens (or creates) the state file at path, dropping records
// older than ttl.
func openState(path string, ttl time.Duration) (*diskState, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open the bot's state %s: %w (is another bot running on this data dir?)", path, err)
	}
	d := &diskState{db: db, ttl: ttl}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{chatsBucket, answersBucket, askedBucket, kbBucket} {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			if string(name) == string(kbBucket) {
				continue // a chat's collection stands until it is switched
			}
			if err := d.expire(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("the bot's state %s: %w", path, err)
	}
	return d, nil
}

// expire deletes the records of b that are older than the retention.
func (d *diskState) expire(b *bolt.Bucket) error {
	var old [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var rec struct {
			At time.Time `json:"at"`
		}
		if json.Unmarshal(v, &rec) != nil || time.Since(rec.At) > d.ttl {
			old = append(old, k)
		}
		return nil
	})
	for _, k := range old {
		if err == nil {
			err = b.Delete(k)
		}
	}
	return err
}

func (d *diskState) close() error { return d.db.Close() }

func key(id int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(id)) }

func idOf(k []byte) int64 { return int64(binary.BigEndian.Uint64(k)) }

// put stores v as JSON under id in bucket; a failure is returned for the
// log, the bot goes on in memory.
func (d *diskState) put(bucket []byte, id int64, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return d.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(key(id), raw) })
}

func (d *diskState) remove(bucket []byte, id int64) error {
	return d.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Delete(key(id)) })
}

// each calls fn with every record of bucket, decoded into a new T.
func each[T any](d *diskState, bucket []byte, fn func(id int64, rec T)) error {
	return d.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			var rec T
			if len(k) == 8 && json.Unmarshal(v, &rec) == nil {
				fn(idOf(k), rec)
			}
			return nil
		})
	})
}
