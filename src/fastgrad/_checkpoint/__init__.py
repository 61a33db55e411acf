"""The on-disk formats behind fastgrad.save / fastgrad.load: npz and safetensors
readers that treat every file as untrusted, and the atomic file writer."""
