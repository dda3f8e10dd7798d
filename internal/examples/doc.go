// Package examples holds the tests of the configurations under examples/:
// every directory formatted and valid, and the stacks applied against
// in-process nats-servers with the real terraform CLI and the provider built
// from this module. It has no code of its own.
package examples
