using Xunit;

// The root tests build real environments on a 2-core machine; one at a time keeps their timing honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
