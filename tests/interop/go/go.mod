module openmyna.example/interop

go 1.19
