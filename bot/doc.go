// Package bot will hold the Telegram adapter (handlers, rendering,
// sessions, access control); it is empty until that work lands.
package bot
