"""The on-disk formats behind fastgrad.save / fastgrad.load: npz and safetensors
readers that treat every file as untrusted, the reader of PyTorch's torch.save files
(torch_zip.py: their pickle parsed, never run), and the atomic file writer."""
