using Xunit;

// Each test runs a real environment with a real daemon on a 2-core machine: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
