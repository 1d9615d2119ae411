/** Datasets and loaders (PyTorch's `torch.utils.data`), and the IDX reader for MNIST files. */
export { TensorDataset, Subset, randomSplit, type Dataset } from './dataset';
export { DataLoader, type DataLoaderOptions, type Batch } from './dataloader';
export { parseIdx, readIdx, type IdxOptions } from './idx';
